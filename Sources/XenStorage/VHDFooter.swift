/// The 512-byte hard-disk footer every VHD ends with (dynamic and differencing disks keep a copy
/// at offset 0).
public struct VHDFooter: Sendable, Hashable {
    public enum DiskType: UInt32, Sendable, Hashable {
        case fixed = 2
        case dynamic = 3
        case differencing = 4
    }

    public var features: UInt32
    public var version: UInt32
    /// Where the dynamic header is (`UInt64.max` for fixed disks).
    public var dataOffset: UInt64
    /// Seconds since 2000-01-01 UTC.
    public var timestamp: UInt32
    /// Four bytes: `tap\0` for blktap.
    public var creatorApplication: [UInt8]
    public var creatorVersion: UInt32
    public var creatorHostOS: UInt32
    public var originalSize: UInt64
    /// The size the guest sees, in bytes.
    public var currentSize: UInt64
    public var geometry: UInt32
    public var diskType: DiskType
    public var checksum: UInt32
    public var uuid: String
    public var savedState: UInt8
    /// blktap's extension: a hidden disk is a base copy, not a user VDI.
    public var hidden: UInt8

    /// Parses a footer; fails on a wrong cookie, checksum or disk type.
    public init(parsing bytes: ArraySlice<UInt8>) throws(VHDError) {
        guard bytes.count >= 512 else { throw .malformed(structure: "footer", reason: "shorter than 512 bytes") }
        let fields = BigEndianFields(bytes)
        let cookie = Array(fields.slice(0, 8))
        guard cookie == VHDFormat.footerCookie || cookie == VHDFormat.poisonedCookie else {
            throw .malformed(structure: "footer", reason: "no conectix cookie")
        }
        checksum = fields.uint32(64)
        guard VHDFormat.checksum(fields.slice(0, 512), skipping: 64..<68) == checksum else {
            throw .malformed(structure: "footer", reason: "checksum mismatch")
        }
        guard let type = DiskType(rawValue: fields.uint32(60)) else {
            throw .malformed(structure: "footer", reason: "disk type \(fields.uint32(60))")
        }
        features = fields.uint32(8)
        version = fields.uint32(12)
        dataOffset = fields.uint64(16)
        timestamp = fields.uint32(24)
        creatorApplication = Array(fields.slice(28, 4))
        creatorVersion = fields.uint32(32)
        creatorHostOS = fields.uint32(36)
        originalSize = fields.uint64(40)
        currentSize = fields.uint64(48)
        geometry = fields.uint32(56)
        diskType = type
        uuid = uuidText(fields.slice(68, 16))
        savedState = fields.uint8(84)
        hidden = fields.uint8(85)
    }
}
