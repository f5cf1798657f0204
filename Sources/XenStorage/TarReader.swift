/// Reads a tar stream member by member, strictly forward: ustar and old V7 headers (xapi writes
/// V7, Xen Orchestra ustar), the ustar name prefix, octal or base-256 sizes. The end is the first
/// zero block; a stream that ends inside a member is `VHDError.truncated`.
public struct TarReader {
    /// One member's header.
    public struct Member: Sendable, Equatable {
        public var name: String
        public var size: Int64
        /// The type flag: `0` (or NUL) a regular file, `5` a directory, others links and devices.
        public var type: UInt8 = UInt8(ascii: "0")

        /// A regular file.
        public var isFile: Bool { type == UInt8(ascii: "0") || type == 0 }
        /// A directory.
        public var isDirectory: Bool { type == UInt8(ascii: "5") }
    }

    private var reader: ByteStreamReader
    /// Bytes of the current member not read yet, and its padding.
    private var unread: Int64 = 0
    private var padding: Int64 = 0

    public init(_ reader: ByteStreamReader) { self.reader = reader }

    /// The next member's header, or `nil` at the end of the archive (or of the stream right after
    /// a whole member, as some writers leave the end blocks out). Unread data of the current
    /// member is skipped first.
    public mutating func next() async throws -> Member? {
        try await reader.skip(unread + padding)
        unread = 0
        padding = 0
        if try await reader.atEnd() { return nil }
        let block = try await reader.read(512)
        if block.allSatisfy({ $0 == 0 }) { return nil }
        guard let size = Self.size(block[124..<136]) else {
            throw VHDError.malformed(structure: "tar header", reason: "bad size field")
        }
        guard Self.checksumMatches(block) else { throw VHDError.malformed(structure: "tar header", reason: "bad checksum") }
        var name = Self.text(block[0..<100])
        if block[257..<262].elementsEqual("ustar".utf8) {
            let prefix = Self.text(block[345..<500])
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        unread = size
        padding = (512 - size % 512) % 512
        return Member(name: name, size: size, type: block[156])
    }

    /// The whole data of the current member (small members: `ova.xml`, checksums).
    public mutating func readData() async throws -> [UInt8] {
        let data = try await reader.read(Int(unread))
        unread = 0
        return data
    }

    /// Up to `count` bytes of the current member's data.
    public mutating func readData(upTo count: Int) async throws -> [UInt8] {
        let data = try await reader.read(Int(min(Int64(count), unread)))
        unread -= Int64(data.count)
        return data
    }

    /// Bytes consumed from the stream so far.
    public var position: Int64 { reader.position }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// An octal field (spaces and NULs around it), or GNU's base-256 form (high bit set).
    private static func size(_ field: ArraySlice<UInt8>) -> Int64? {
        if let first = field.first, first & 0x80 != 0 {
            return field.dropFirst().reduce(Int64(first & 0x7F)) { ($0 << 8) | Int64($1) }
        }
        let digits = field.filter { $0 != 0 && $0 != 0x20 }
        if digits.isEmpty { return 0 }
        return Int64(String(decoding: digits, as: UTF8.self), radix: 8)
    }

    /// The header checksum: the sum of its bytes with the checksum field as spaces (signed or unsigned).
    private static func checksumMatches(_ block: [UInt8]) -> Bool {
        guard let stored = size(block[148..<156]) else { return false }
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (index, byte) in block.enumerated() {
            let value = (148..<156).contains(index) ? UInt8(0x20) : byte
            unsigned += Int64(value)
            signed += Int64(Int8(bitPattern: value))
        }
        return stored == unsigned || stored == signed
    }
}
