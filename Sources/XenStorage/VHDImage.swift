import SystemPackage

/// One VHD file, opened read-only: its footer (found as blktap finds it), and for dynamic and
/// differencing disks its header, block allocation table and batmap. Reads go straight to the
/// file at offsets; nothing but the metadata is held in memory.
public final class VHDImage: Sendable {
    public let path: String
    public let footer: VHDFooter
    public let header: VHDHeader?
    /// The sector of each block's bitmap, or `VHDFormat.unallocated`.
    let bat: [UInt32]
    /// One bit per block (MSB first): its bitmap is all ones (blktap's batmap), when present.
    let batmap: [UInt8]?
    /// Whether the file's last 512 bytes held a valid footer (a file still being written, or torn
    /// by a crash, has only the copy at offset 0).
    public let primaryFooterValid: Bool
    private let descriptor: FileDescriptor
    public let fileSize: Int64

    /// Opens the file and reads its metadata; without `readingTables`, only its footer and
    /// header (enough for its size, flags and parent, not to read its data).
    public init(path: String, readingTables: Bool = true) throws(VHDError) {
        self.path = path
        do {
            descriptor = try FileDescriptor.open(FilePath(path), .readOnly)
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
        do {
            fileSize = try descriptor.seek(offset: 0, from: .end)
            var tail: [UInt8] = []
            if fileSize >= 512 { tail = try Self.read(descriptor, at: fileSize - 512, count: 512) }
            if let footer = try? VHDFooter(parsing: tail[...]) {
                self.footer = footer
                primaryFooterValid = true
            } else if fileSize >= 512, let copy = try? VHDFooter(parsing: try Self.read(descriptor, at: 0, count: 512)[...]) {
                footer = copy
                primaryFooterValid = false
            } else {
                throw VHDError.noValidFooter(path: path)
            }
            guard footer.diskType != .fixed else {
                header = nil
                bat = []
                batmap = nil
                return
            }
            let header = try VHDHeader(parsing: try Self.read(descriptor, at: Int64(footer.dataOffset), count: 1024)[...])
            self.header = header
            guard readingTables else {
                bat = []
                batmap = nil
                return
            }
            let entries = Int(header.maxTableEntries)
            let table = try Self.read(descriptor, at: Int64(header.tableOffset), count: entries * 4)
            let fields = BigEndianFields(table[...])
            bat = (0..<entries).map { fields.uint32($0 * 4) }
            batmap = try Self.readBatmap(descriptor, footer: footer, header: header)
        } catch let error as VHDError {
            try? descriptor.close()
            throw error
        } catch {
            try? descriptor.close()
            throw .io(path: path, reason: "\(error)")
        }
    }

    deinit { try? descriptor.close() }

    /// The virtual size, in bytes.
    public var virtualSize: Int64 { Int64(footer.currentSize) }

    /// Sectors per block (dynamic and differencing disks).
    var sectorsPerBlock: Int { Int(header?.blockSize ?? 0) / VHDFormat.sectorSize }

    /// The bytes of one block's sector bitmap, or `nil` when the block is not allocated.
    func bitmap(ofBlock block: Int) throws(VHDError) -> [UInt8]? {
        guard block < bat.count, bat[block] != VHDFormat.unallocated else { return nil }
        if let batmap, block / 8 < batmap.count, batmap[block / 8] & (0x80 >> UInt8(block % 8)) != 0 {
            return [UInt8](repeating: 0xFF, count: (sectorsPerBlock + 7) / 8)
        }
        return try read(at: Int64(bat[block]) * 512, count: (sectorsPerBlock + 7) / 8)
    }

    /// Where sector `sectorInBlock` of an allocated block lies in the file.
    func dataOffset(block: Int, sector sectorInBlock: Int) -> Int64 {
        let bitmapBytes = ((sectorsPerBlock + 7) / 8 + 511) / 512 * 512
        return Int64(bat[block]) * 512 + Int64(bitmapBytes) + Int64(sectorInBlock) * 512
    }

    /// Where the `count` bytes of the virtual disk from `offset` lie in this file when they are
    /// one run of sectors it holds: whole sectors inside one block, every one of them present
    /// (or any range of a fixed disk); `nil` otherwise.
    func heldRun(at offset: Int64, count: Int) throws(VHDError) -> Int64? {
        guard offset >= 0, offset % 512 == 0, count > 0, count % 512 == 0, offset + Int64(count) <= virtualSize else { return nil }
        guard header != nil else { return offset }
        let sector = offset / 512
        let (block, first) = (Int(sector / Int64(sectorsPerBlock)), Int(sector % Int64(sectorsPerBlock)))
        let sectors = count / 512
        guard first + sectors <= sectorsPerBlock, let bitmap = try bitmap(ofBlock: block) else { return nil }
        for index in first..<(first + sectors) where bitmap[index / 8] & (0x80 >> UInt8(index % 8)) == 0 { return nil }
        return dataOffset(block: block, sector: first)
    }

    /// `count` bytes of the file at `offset`.
    func read(at offset: Int64, count: Int) throws(VHDError) -> [UInt8] {
        do {
            return try Self.read(descriptor, at: offset, count: count)
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
    }

    /// Reads into `buffer` at `offset` of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(VHDError) {
        do {
            var done = 0
            while done < buffer.count {
                let got = try descriptor.read(
                    fromAbsoluteOffset: offset + Int64(done), into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
                guard got > 0 else { throw VHDError.io(path: path, reason: "end of file at \(offset + Int64(done))") }
                done += got
            }
        } catch let error as VHDError {
            throw error
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
    }

    private static func read(_ descriptor: FileDescriptor, at offset: Int64, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while done < count {
                let got = try descriptor.read(
                    fromAbsoluteOffset: offset + Int64(done), into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
                guard got > 0 else { throw VHDError.malformed(structure: "file", reason: "ends at \(offset + Int64(done))") }
                done += got
            }
        }
        return bytes
    }

    /// blktap's batmap, when the creator is tap ≥ 1.2 and its header is sound.
    private static func readBatmap(_ descriptor: FileDescriptor, footer: VHDFooter, header: VHDHeader) throws -> [UInt8]? {
        guard footer.creatorApplication == Array("tap\0".utf8), footer.creatorVersion >= 0x0001_0002 else { return nil }
        let batBytes = (Int(header.maxTableEntries) * 4 + 511) / 512 * 512
        let headerOffset = Int64(header.tableOffset) + Int64(batBytes)
        guard let batmapHeader = try? read(descriptor, at: headerOffset, count: 512),
            Array(batmapHeader[0..<8]) == VHDFormat.batmapCookie
        else { return nil }
        let fields = BigEndianFields(batmapHeader[...])
        let sectors = Int(fields.uint32(16))
        return try read(descriptor, at: Int64(fields.uint64(8)), count: sectors * 512)
    }

    /// The parent's path, from the first locator whose file exists (relative paths are taken
    /// from this file's folder).
    func parentCandidates() throws(VHDError) -> [String] {
        guard let header else { return [] }
        let folder = FilePath(path).removingLastComponent()
        var candidates: [String] = []
        for locator in header.locators where locator.length > 0 {
            let payload = try read(at: Int64(locator.offset), count: Int(locator.length))
            guard let written = locator.path(from: payload[...]) else { continue }
            let candidate = FilePath(written)
            candidates.append(candidate.isAbsolute ? written : folder.pushing(candidate).lexicallyNormalized().string)
        }
        return candidates
    }
}
