/// The VHD format's fixed facts and its big-endian, checksummed structures.
enum VHDFormat {
    static let sectorSize = 512
    static let footerCookie = Array("conectix".utf8)
    static let poisonedCookie = Array("v_poison".utf8)
    static let headerCookie = Array("cxsparse".utf8)
    static let batmapCookie = Array("tdbatmap".utf8)
    /// A BAT entry for a block that is not allocated.
    static let unallocated: UInt32 = 0xFFFF_FFFF
    /// Seconds from the Unix epoch to the VHD epoch (2000-01-01 UTC).
    static let epochOffset: Int64 = 946_684_800

    /// The one's complement of the byte sum, with the checksum's own four bytes counted as zero.
    static func checksum(_ bytes: ArraySlice<UInt8>, skipping field: Range<Int>) -> UInt32 {
        var sum: UInt32 = 0
        for (index, byte) in zip(bytes.indices, bytes) where !field.contains(index - bytes.startIndex) {
            sum &+= UInt32(byte)
        }
        return ~sum
    }
}

/// Reads big-endian fields of a structure at offsets from its start.
struct BigEndianFields {
    let bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    func uint8(_ offset: Int) -> UInt8 { bytes[bytes.startIndex + offset] }

    func uint32(_ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[bytes.startIndex + offset + $1]) }
    }

    func uint64(_ offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[bytes.startIndex + offset + $1]) }
    }

    func slice(_ offset: Int, _ count: Int) -> ArraySlice<UInt8> {
        bytes[(bytes.startIndex + offset)..<(bytes.startIndex + offset + count)]
    }
}

/// A 16-byte VHD uuid in its usual text form.
func uuidText(_ bytes: ArraySlice<UInt8>) -> String {
    let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }
    return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { hex[$0].joined() }.joined(separator: "-")
}

/// Whether every byte is zero: eight bytes at a time, stopping at the first 4 KiB that is not.
func isAllZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let words = bytes.count / 8
    var index = 0
    while index < words {
        let end = min(words, index + 512)
        var accumulated: UInt64 = 0
        for word in index..<end { accumulated |= bytes.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self) }
        if accumulated != 0 { return false }
        index = end
    }
    for offset in (words * 8)..<bytes.count where bytes[offset] != 0 { return false }
    return true
}
