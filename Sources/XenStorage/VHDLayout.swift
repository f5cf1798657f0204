/// How blktap lays a dynamic or differencing VHD out, and how it encodes the structures it
/// writes: the pieces `VHDWriter` needs.
enum VHDLayout {
    static let blockSize = 2 << 20
    static let sectorsPerBlock = blockSize / 512
    /// A 2 MiB block's sector bitmap, padded to a sector.
    static let bitmapBytes = 512
    static let tableOffset: UInt64 = 1536
    /// The largest disk SM makes (32-bit BAT sectors keep everything below 2 TiB of file).
    static let maximumSize: Int64 = 2040 << 30
    static let creatorApplication = Array("tap\0".utf8)
    static let creatorVersion: UInt32 = 0x0001_0003

    static func roundUp(_ value: Int, to unit: Int) -> Int { (value + unit - 1) / unit * unit }

    /// The BAT's size in bytes for `entries` blocks, padded to a sector.
    static func batBytes(_ entries: Int) -> Int { roundUp(entries * 4, to: 512) }

    /// The batmap's size in sectors for `entries` blocks (at least one).
    static func batmapSectors(_ entries: Int) -> Int { max(1, roundUp((entries + 7) / 8, to: 512) / 512) }

    /// The CHS geometry the VHD specification (and blktap's `vhd_chs`) gives a size.
    static func geometry(size: Int64) -> UInt32 {
        var sectors = max(1, (size + 511) / 512)
        sectors = min(sectors, 65535 * 16 * 255)
        var (spt, heads, cth): (Int64, Int64, Int64)
        if sectors >= 65535 * 16 * 63 {
            (spt, heads) = (255, 16)
            cth = sectors / spt
        } else {
            spt = 17
            cth = sectors / spt
            heads = max(4, (cth + 1023) / 1024)
            if cth >= heads * 1024 || heads > 16 {
                (spt, heads) = (31, 16)
                cth = sectors / spt
            }
            if cth >= heads * 1024 {
                (spt, heads) = (63, 16)
                cth = sectors / spt
            }
        }
        return UInt32(cth / heads) << 16 | UInt32(heads) << 8 | UInt32(spt)
    }

    /// The 16 bytes of a uuid written as text.
    static func uuidBytes(_ text: String) -> [UInt8] {
        let hex = Array(text.filter { $0 != "-" }.utf8)
        guard hex.count == 32 else { return [UInt8](repeating: 0, count: 16) }
        func nibble(_ character: UInt8) -> UInt8 {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
            default: 0
            }
        }
        return (0..<16).map { nibble(hex[2 * $0]) << 4 | nibble(hex[2 * $0 + 1]) }
    }
}

/// Writes big-endian fields into a structure's bytes.
struct BigEndianWriter {
    var bytes: [UInt8]

    init(count: Int) { bytes = [UInt8](repeating: 0, count: count) }

    mutating func put(_ value: UInt32, at offset: Int) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (24 - 8 * index)) }
    }

    mutating func put(_ value: UInt64, at offset: Int) {
        for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (56 - 8 * index)) }
    }

    mutating func put(_ values: [UInt8], at offset: Int) {
        bytes.replaceSubrange(offset..<(offset + values.count), with: values)
    }

    /// Stores the structure's checksum (one's complement byte sum) at `field`.
    mutating func sealChecksum(at field: Int) {
        put(UInt32(0), at: field)
        put(VHDFormat.checksum(bytes[...], skipping: field..<(field + 4)), at: field)
    }
}
