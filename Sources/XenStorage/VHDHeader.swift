/// The 1024-byte dynamic-disk header ("cxsparse") of dynamic and differencing disks.
public struct VHDHeader: Sendable, Hashable {
    /// Where the block allocation table starts, in bytes.
    public var tableOffset: UInt64
    public var version: UInt32
    public var maxTableEntries: UInt32
    public var blockSize: UInt32
    public var checksum: UInt32
    /// The parent's uuid (differencing disks), else the null uuid.
    public var parentUUID: String
    public var parentTimestamp: UInt32
    /// The parent's file name, as blktap stores it (UTF-16 big-endian in the file).
    public var parentName: String
    public var locators: [ParentLocator]

    public init(parsing bytes: ArraySlice<UInt8>) throws(VHDError) {
        guard bytes.count >= 1024 else { throw .malformed(structure: "header", reason: "shorter than 1024 bytes") }
        let fields = BigEndianFields(bytes)
        guard Array(fields.slice(0, 8)) == VHDFormat.headerCookie else {
            throw .malformed(structure: "header", reason: "no cxsparse cookie")
        }
        checksum = fields.uint32(36)
        guard VHDFormat.checksum(fields.slice(0, 1024), skipping: 36..<40) == checksum else {
            throw .malformed(structure: "header", reason: "checksum mismatch")
        }
        tableOffset = fields.uint64(16)
        version = fields.uint32(24)
        maxTableEntries = fields.uint32(28)
        blockSize = fields.uint32(32)
        guard blockSize >= 512, blockSize <= 2 << 20, blockSize & (blockSize - 1) == 0 else {
            throw .malformed(structure: "header", reason: "block size \(blockSize)")
        }
        parentUUID = uuidText(fields.slice(40, 16))
        parentTimestamp = fields.uint32(56)
        var name: [UInt16] = []
        for index in stride(from: 64, to: 576, by: 2) {
            let unit = UInt16(fields.uint8(index)) << 8 | UInt16(fields.uint8(index + 1))
            if unit == 0 { break }
            name.append(unit)
        }
        parentName = String(decoding: name, as: UTF16.self)
        locators = (0..<8).compactMap { ParentLocator(entry: fields.slice(576 + 24 * $0, 24)) }
    }
}

/// One parent locator entry: where a differencing disk's parent can be found.
public struct ParentLocator: Sendable, Hashable {
    public enum Platform: UInt32, Sendable, Hashable {
        /// A `file://` URL in UTF-8.
        case macX = 0x4D61_6358
        /// A Windows absolute path in UTF-16LE (blktap stores the relative one here too).
        case w2ku = 0x5732_6B75
        /// A Windows relative path in UTF-16LE.
        case w2ru = 0x5732_7275
    }

    public var platform: Platform
    /// The space reserved for the payload, in bytes.
    public var space: UInt32
    public var length: UInt32
    public var offset: UInt64

    /// `nil` for an empty slot or a platform blktap does not decode.
    init?(entry: ArraySlice<UInt8>) {
        let fields = BigEndianFields(entry)
        guard let platform = Platform(rawValue: fields.uint32(0)) else { return nil }
        self.platform = platform
        // The spec says sectors; blktap and Windows write bytes. A value below 512 is sectors.
        let space = fields.uint32(4)
        self.space = space < 512 ? space * 512 : space
        length = fields.uint32(8)
        offset = fields.uint64(16)
    }

    /// The path the payload names, relative paths as written (`./base.vhd`).
    func path(from payload: ArraySlice<UInt8>) -> String? {
        switch platform {
        case .macX:
            let text = String(decoding: payload, as: UTF8.self)
            return text.hasPrefix("file://") ? String(text.dropFirst("file://".count)) : nil
        case .w2ku, .w2ru:
            var units: [UInt16] = []
            var index = payload.startIndex
            while index + 1 < payload.endIndex {
                units.append(UInt16(payload[index]) | UInt16(payload[index + 1]) << 8)
                index += 2
            }
            return String(String(decoding: units, as: UTF16.self).map { $0 == "\\" ? "/" : $0 })
        }
    }
}
