/// A small ISO 9660 image (one root folder of plain files), as the built-in "XenServer Tools"
/// library needs one: sixteen empty system sectors, the primary volume descriptor, the
/// terminator, both path tables, the root folder, then each file's sectors.
public enum ISOImage {
    static let sectorSize = 2048

    /// The image of `files` (names in ISO 9660's level-1 form, like `README.TXT`), labelled
    /// `volume`, dated `date` (year, month, day, hour, minute, second, UTC).
    public static func make(volume: String, files: [(name: String, contents: [UInt8])], date: [Int]) -> [UInt8] {
        let rootSector = 20
        var next = rootSector + 1
        let placed = files.map { file -> (name: String, contents: [UInt8], sector: Int) in
            defer { next += max(1, (file.contents.count + sectorSize - 1) / sectorSize) }
            return (file.name.uppercased() + ";1", file.contents, next)
        }
        let total = next
        var image = [UInt8](repeating: 0, count: total * sectorSize)
        func put(_ bytes: [UInt8], at offset: Int) { image.replaceSubrange(offset..<(offset + bytes.count), with: bytes) }

        var root = record(id: [0], sector: rootSector, length: sectorSize, directory: true, date: date)
        root += record(id: [1], sector: rootSector, length: sectorSize, directory: true, date: date)
        for file in placed { root += record(id: Array(file.name.utf8), sector: file.sector, length: file.contents.count, directory: false, date: date) }
        put(root, at: rootSector * sectorSize)
        for file in placed { put(file.contents, at: file.sector * sectorSize) }

        var descriptor = [UInt8](repeating: 0, count: sectorSize)
        func set(_ bytes: [UInt8], _ offset: Int) { descriptor.replaceSubrange(offset..<(offset + bytes.count), with: bytes) }
        set([1] + Array("CD001".utf8) + [1], 0)
        set(padded("LINUX", 32), 8)
        set(padded(volume.uppercased(), 32), 40)
        set(both32(total), 80)
        set(both16(1), 120)
        set(both16(1), 124)
        set(both16(sectorSize), 128)
        set(both32(10), 132)
        set(little32(18), 140)
        set(big32(19), 148)
        set(record(id: [0], sector: rootSector, length: sectorSize, directory: true, date: date), 156)
        for field in [190, 318, 446] { set(padded("", 128), field) }
        set(padded("SWIFT-XAPI", 128), 574)
        for field in [702, 739, 776] { set(padded("", 37), field) }
        let stamp = Array(String(format4(date[0]) + date[1...5].map(format2).joined() + "00").utf8) + [0]
        set(stamp, 813)
        set(stamp, 830)
        set(Array(String(repeating: "0", count: 16).utf8) + [0], 847)
        set(stamp, 864)
        descriptor[881] = 1
        put(descriptor, at: 16 * sectorSize)
        put([255] + Array("CD001".utf8) + [1], at: 17 * sectorSize)
        // The path tables: the root folder alone, little-endian then big-endian.
        put([1, 0] + little32(rootSector) + [1, 0, 0, 0], at: 18 * sectorSize)
        put([1, 0] + big32(rootSector) + [0, 1, 0, 0], at: 19 * sectorSize)
        return image
    }

    private static func record(id: [UInt8], sector: Int, length: Int, directory: Bool, date: [Int]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0] + both32(sector) + both32(length)
        bytes += [UInt8(date[0] - 1900), UInt8(date[1]), UInt8(date[2]), UInt8(date[3]), UInt8(date[4]), UInt8(date[5]), 0]
        bytes += [directory ? 2 : 0, 0, 0] + both16(1) + [UInt8(id.count)] + id
        if id.count % 2 == 0 { bytes.append(0) }
        bytes[0] = UInt8(bytes.count)
        return bytes
    }

    private static func padded(_ text: String, _ count: Int) -> [UInt8] {
        Array(text.utf8.prefix(count)) + [UInt8](repeating: 0x20, count: max(0, count - text.utf8.count))
    }

    private static func little32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    private static func big32(_ value: Int) -> [UInt8] { little32(value).reversed() }
    private static func both32(_ value: Int) -> [UInt8] { little32(value) + big32(value) }
    private static func both16(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
    private static func format2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    private static func format4(_ value: Int) -> String { String(repeating: "0", count: max(0, 4 - String(value).count)) + String(value) }
}
