/// Writes a tar stream member by member, as xapi's exporter does: a 512-byte POSIX ustar header
/// per regular file (octal fields, uid and gid 0), the data padded to 512 bytes, and two zero
/// blocks at the end. Names longer than 100 bytes are refused (XVA names are short).
public enum TarWriter {
    /// The header of a regular file of `size` bytes.
    public static func header(name: String, size: Int64, mtime: Int64 = 0, mode: Int = 0o644) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        let nameBytes = Array(name.utf8.prefix(100))
        block.replaceSubrange(0..<nameBytes.count, with: nameBytes)
        put(octal: Int64(mode), width: 8, at: 100, in: &block)
        put(octal: 0, width: 8, at: 108, in: &block)
        put(octal: 0, width: 8, at: 116, in: &block)
        put(octal: size, width: 12, at: 124, in: &block)
        put(octal: mtime, width: 12, at: 136, in: &block)
        block[156] = UInt8(ascii: "0")
        block.replaceSubrange(257..<263, with: Array("ustar\0".utf8))
        block.replaceSubrange(263..<265, with: Array("00".utf8))
        // The checksum is computed with its own field as eight spaces.
        block.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
        let sum = block.reduce(0) { $0 + Int64($1) }
        put(octal: sum, width: 7, at: 148, in: &block)
        block[155] = 0x20
        return block
    }

    /// The zeros that pad `size` bytes of data to a whole block.
    public static func padding(after size: Int64) -> [UInt8] {
        let remainder = Int(size % 512)
        return remainder == 0 ? [] : [UInt8](repeating: 0, count: 512 - remainder)
    }

    /// A whole small member: header, data, padding.
    public static func member(name: String, data: [UInt8], mtime: Int64 = 0) -> [UInt8] {
        header(name: name, size: Int64(data.count), mtime: mtime) + data + padding(after: Int64(data.count))
    }

    /// The end of the archive: two zero blocks.
    public static let end = [UInt8](repeating: 0, count: 1024)

    /// `value` in octal, zero-padded to `width - 1` digits and a NUL.
    private static func put(octal value: Int64, width: Int, at offset: Int, in block: inout [UInt8]) {
        let digits = Array(String(value, radix: 8).utf8)
        let padded = [UInt8](repeating: UInt8(ascii: "0"), count: max(0, width - 1 - digits.count)) + digits
        block.replaceSubrange(offset..<offset + width - 1, with: padded.suffix(width - 1))
        block[offset + width - 1] = 0
    }
}
