import CFileIO
import Foundation
import SystemPackage

/// Makes and writes dynamic and differencing VHDs exactly as blktap does: creator `tap` 1.3,
/// 2 MiB blocks, the batmap, relative parent locators, each new block's bitmap placed so its
/// data starts on a 4 KiB boundary, blocks appended in the order first written, unwritten
/// sectors of a new block zero-filled, and the trailing footer written when the file is closed
/// (until then a reader falls back to the copy at offset 0, as blktap's does).
public final class VHDWriter {
    public let path: String
    private let descriptor: FileDescriptor
    private var footer: [UInt8]
    private let tableOffset: Int64
    private var bat: [UInt32]
    private var batmap: [UInt8]
    private let batmapOffset: Int64
    private let batmapHeaderOffset: Int64
    private let virtualSize: Int64
    /// The size the guest sees, in bytes.
    public var size: Int64 { virtualSize }
    /// Where the next block's metadata may start (the end of metadata or of the last block).
    private var endOfData: Int64
    private var closed = false
    /// Blocks became full since the batmap was last written.
    private var batmapChanged = false

    /// A new, empty dynamic disk of `size` bytes (a multiple of 2 MiB, at most 2040 GiB).
    public static func createDynamic(path: String, size: Int64, uuid: String, timestamp: UInt32) throws(VHDError) -> VHDWriter {
        try VHDWriter(path: path, size: size, uuid: uuid, timestamp: timestamp, parent: nil)
    }

    /// A new differencing disk over `parent` (in the same folder: its locators are relative),
    /// of the parent's size unless `size` is given. `parentTimestamp` is the parent file's
    /// modification time, seconds since 2000-01-01, as blktap records it.
    public static func createDifferencing(
        path: String, parent: VHDImage, uuid: String, timestamp: UInt32, parentTimestamp: UInt32, size: Int64? = nil
    ) throws(VHDError) -> VHDWriter {
        let name = String(parent.path.split(separator: "/").last ?? "")
        return try VHDWriter(
            path: path, size: size ?? parent.virtualSize, uuid: uuid, timestamp: timestamp,
            parent: (uuid: parent.footer.uuid, name: name, timestamp: parentTimestamp))
    }

    /// Opens a dynamic or differencing VHD that blktap (or this writer) made, to write into it:
    /// new blocks go after the last one, as blktap appends them.
    public static func open(path: String) throws(VHDError) -> VHDWriter {
        let image = try VHDImage(path: path)
        guard let header = image.header, header.blockSize == UInt32(VHDLayout.blockSize), let batmap = image.batmap else {
            throw .malformed(structure: "disk", reason: "\(path) is not a blktap dynamic or differencing VHD")
        }
        let entries = Int(header.maxTableEntries)
        let batmapHeaderOffset = Int64(header.tableOffset) + Int64(VHDLayout.batBytes(entries))
        var end = batmapHeaderOffset + 512 + Int64(batmap.count)
        for locator in header.locators { end = max(end, Int64(locator.offset) + Int64(locator.space)) }
        for sector in image.bat where sector != VHDFormat.unallocated {
            end = max(end, Int64(sector) * 512 + Int64(VHDLayout.bitmapBytes + VHDLayout.blockSize))
        }
        let footer = try image.read(at: image.primaryFooterValid ? image.fileSize - 512 : 0, count: 512)
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(FilePath(path), .readWrite)
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
        return VHDWriter(
            path: path, descriptor: descriptor, footer: footer, tableOffset: Int64(header.tableOffset), bat: image.bat,
            batmap: batmap, batmapHeaderOffset: batmapHeaderOffset, virtualSize: image.virtualSize, endOfData: end)
    }

    private init(
        path: String, descriptor: FileDescriptor, footer: [UInt8], tableOffset: Int64, bat: [UInt32], batmap: [UInt8],
        batmapHeaderOffset: Int64, virtualSize: Int64, endOfData: Int64
    ) {
        self.path = path
        self.descriptor = descriptor
        self.footer = footer
        self.tableOffset = tableOffset
        self.bat = bat
        self.batmap = batmap
        self.batmapHeaderOffset = batmapHeaderOffset
        batmapOffset = batmapHeaderOffset + 512
        self.virtualSize = virtualSize
        self.endOfData = endOfData
    }

    private convenience init(
        path: String, size: Int64, uuid: String, timestamp: UInt32, parent: (uuid: String, name: String, timestamp: UInt32)?
    ) throws(VHDError) {
        guard size > 0, size % Int64(VHDLayout.blockSize) == 0, size <= VHDLayout.maximumSize else {
            throw .malformed(structure: "disk", reason: "size \(size) is not a positive multiple of 2 MiB up to 2040 GiB")
        }
        let entries = Int(size / Int64(VHDLayout.blockSize))
        let tableOffset = Int64(VHDLayout.tableOffset)
        let batmapHeaderOffset = tableOffset + Int64(VHDLayout.batBytes(entries))
        let batmap = [UInt8](repeating: 0, count: VHDLayout.batmapSectors(entries) * 512)
        var end = batmapHeaderOffset + 512 + Int64(batmap.count)
        var locators: [(code: UInt32, payload: [UInt8], offset: Int64)] = []
        if let parent {
            for (code, payload) in Self.locatorPayloads(parentName: parent.name) {
                locators.append((code, payload, end))
                end += Int64(VHDLayout.roundUp(payload.count, to: 512))
            }
        }
        let footer = Self.footer(size: size, uuid: uuid, timestamp: timestamp, differencing: parent != nil)
        let header = Self.header(entries: entries, parent: parent, locators: locators)
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(
                FilePath(path), .readWrite, options: [.create, .exclusiveCreate], permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
        self.init(
            path: path, descriptor: descriptor, footer: footer, tableOffset: tableOffset,
            bat: [UInt32](repeating: VHDFormat.unallocated, count: entries), batmap: batmap,
            batmapHeaderOffset: batmapHeaderOffset, virtualSize: size, endOfData: end)
        do {
            try write(footer, at: 0)
            try write(header, at: 512)
            var table = BigEndianWriter(count: VHDLayout.batBytes(entries))
            for index in 0..<entries { table.put(VHDFormat.unallocated, at: index * 4) }
            try write(table.bytes, at: tableOffset)
            try writeBatmap()
            for locator in locators {
                var slot = [UInt8](repeating: 0, count: VHDLayout.roundUp(locator.payload.count, to: 512))
                slot.replaceSubrange(0..<locator.payload.count, with: locator.payload)
                try write(slot, at: locator.offset)
            }
            try write(footer, at: endOfData)
        } catch {
            closed = true
            try? descriptor.close()
            throw error
        }
    }

    /// blktap's three locators for a parent in the same folder: a `file://` URL, and the
    /// relative path (UTF-16LE) as both the absolute and the relative Windows path.
    private static func locatorPayloads(parentName: String) -> [(UInt32, [UInt8])] {
        let relative = "./" + parentName
        let units: [UInt16] = Array(relative.replacingOccurrences(of: "/", with: "\\").utf16)
        let windows: [UInt8] = units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        return [(UInt32(0x4D61_6358), Array(("file://" + relative).utf8)), (0x5732_6B75, windows), (0x5732_7275, windows)]
    }

    /// Sets or clears blktap's hidden flag (footer byte 85) in both footers: a hidden disk is a
    /// base copy, not a disk a user sees.
    public func setHidden(_ hidden: Bool) throws(VHDError) {
        var fields = BigEndianWriter(count: 0)
        fields.bytes = footer
        fields.bytes[85] = hidden ? 1 : 0
        fields.sealChecksum(at: 64)
        footer = fields.bytes
        try write(footer, at: 0)
        try write(footer, at: endOfData)
    }

    /// Sets or clears the hidden flag of a closed file's two footers without reading its tables.
    public static func setHidden(_ hidden: Bool, path: String) throws(VHDError) {
        let image = try VHDImage(path: path, readingTables: false)
        guard image.primaryFooterValid else {
            let writer = try open(path: path)
            try writer.setHidden(hidden)
            try writer.close()
            return
        }
        var footer = BigEndianWriter(count: 0)
        footer.bytes = try image.read(at: image.fileSize - 512, count: 512)
        footer.bytes[85] = hidden ? 1 : 0
        footer.sealChecksum(at: 64)
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(FilePath(path), .readWrite)
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
        defer { try? descriptor.close() }
        do {
            for offset in [0, image.fileSize - 512] {
                _ = try footer.bytes.withUnsafeBytes { try descriptor.write(toAbsoluteOffset: offset, $0) }
            }
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
    }

    /// Makes `parent` (in the same folder) this differencing disk's parent, rewriting the
    /// header's parent fields and its locators in place, as `vhd-util modify -p` does.
    public func setParent(_ parent: VHDImage, parentTimestamp: UInt32) throws(VHDError) {
        let name = String(parent.path.split(separator: "/").last ?? "")
        var header = BigEndianWriter(count: 0)
        header.bytes = try read(count: 1024, at: 512)
        let existing = try VHDHeader(parsing: header.bytes[...])
        let payloads = Self.locatorPayloads(parentName: name)
        guard existing.locators.count >= payloads.count,
            zip(existing.locators, payloads).allSatisfy({ Int($0.space) >= $1.1.count })
        else { throw .malformed(structure: "header", reason: "\(path) has no room for the locators of \(name)") }
        header.put(VHDLayout.uuidBytes(parent.footer.uuid), at: 40)
        header.put(parentTimestamp, at: 56)
        header.put([UInt8](repeating: 0, count: 512), at: 64)
        header.put(Array(name.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }.prefix(512)), at: 64)
        for (index, (locator, payload)) in zip(existing.locators, payloads).enumerated() {
            let entry = 576 + 24 * index
            header.put(payload.0, at: entry)
            header.put(UInt32(payload.1.count), at: entry + 8)
            var slot = [UInt8](repeating: 0, count: Int(locator.space))
            slot.replaceSubrange(0..<payload.1.count, with: payload.1)
            try write(slot, at: Int64(locator.offset))
        }
        header.sealChecksum(at: 36)
        try write(header.bytes, at: 512)
    }

    /// Writes `data` (a whole number of sectors) at `offset` of the virtual disk.
    public func write(at offset: Int64, _ data: UnsafeRawBufferPointer) throws(VHDError) {
        guard offset % 512 == 0, data.count % 512 == 0, offset >= 0, offset + Int64(data.count) <= virtualSize else {
            throw .outOfRange(offset: offset, length: data.count, size: virtualSize)
        }
        var done = 0
        while done < data.count {
            let sector = (offset + Int64(done)) / 512
            let block = Int(sector / Int64(VHDLayout.sectorsPerBlock))
            let inBlock = Int(sector % Int64(VHDLayout.sectorsPerBlock))
            let sectors = min((data.count - done) / 512, VHDLayout.sectorsPerBlock - inBlock)
            try write(block: block, from: inBlock, UnsafeRawBufferPointer(rebasing: data[done..<(done + sectors * 512)]))
            done += sectors * 512
        }
    }

    /// Copies into `buffer` (the disk's bytes from `offset`, whole sectors) every sector this
    /// file holds, by its allocation table and sector bitmaps as they are now; sectors it does
    /// not hold are left as they are (a differencing disk's parents fill them).
    public func readHeld(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(VHDError) {
        guard offset % 512 == 0, buffer.count % 512 == 0, offset >= 0, offset + Int64(buffer.count) <= virtualSize else {
            throw .outOfRange(offset: offset, length: buffer.count, size: virtualSize)
        }
        var done = 0
        while done < buffer.count {
            let sector = (offset + Int64(done)) / 512
            let block = Int(sector / Int64(VHDLayout.sectorsPerBlock))
            let inBlock = Int(sector % Int64(VHDLayout.sectorsPerBlock))
            let sectors = min((buffer.count - done) / 512, VHDLayout.sectorsPerBlock - inBlock)
            if bat[block] != VHDFormat.unallocated {
                let bitmapOffset = Int64(bat[block]) * 512
                let full = batmap[block / 8] & (0x80 >> UInt8(block % 8)) != 0
                let bitmap = full ? [] : try read(count: VHDLayout.bitmapBytes, at: bitmapOffset)
                func held(_ index: Int) -> Bool {
                    full || bitmap[(inBlock + index) / 8] & (0x80 >> UInt8((inBlock + index) % 8)) != 0
                }
                var index = 0
                while index < sectors {
                    guard held(index) else {
                        index += 1
                        continue
                    }
                    let start = index
                    while index < sectors, held(index) { index += 1 }
                    let target = UnsafeMutableRawBufferPointer(rebasing: buffer[(done + start * 512)..<(done + index * 512)])
                    try read(into: target, at: bitmapOffset + 512 + Int64(inBlock + start) * 512)
                }
            }
            done += sectors * 512
        }
    }

    /// Makes what was written durable and the file whole as it stands: the batmap, the trailing
    /// footer after the last block, then `fsync` (a guest's flush).
    public func flush() throws(VHDError) {
        if batmapChanged {
            try writeBatmap()
            batmapChanged = false
        }
        try write(footer, at: endOfData)
        guard fsync(descriptor.rawValue) == 0 else { throw .io(path: path, reason: "fsync failed: \(errno)") }
    }

    /// Asks the kernel to start writing the file's changed pages out now, and returns at once
    /// (`sync_file_range` with `SYNC_FILE_RANGE_WRITE`): a later `flush` then waits on less.
    public func startWriteback() {
        _ = file_start_writeback(descriptor.rawValue)
    }

    /// Writes the trailing footer and closes the file.
    public func close() throws(VHDError) {
        guard !closed else { return }
        closed = true
        do throws(VHDError) {
            if batmapChanged { try writeBatmap() }
            try write(footer, at: endOfData)
        } catch {
            try? descriptor.close()
            throw error
        }
        do {
            try descriptor.close()
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
    }

    deinit { if !closed { try? descriptor.close() } }

    /// Writes whole sectors within one block, allocating it first if needed.
    private func write(block: Int, from first: Int, _ data: UnsafeRawBufferPointer) throws(VHDError) {
        let sectors = data.count / 512
        if bat[block] == VHDFormat.unallocated {
            // The bitmap's sector is ≡ 7 (mod 8), so the data after it starts on 4 KiB.
            var bitmapSector = (endOfData + 511) / 512
            bitmapSector += (7 - bitmapSector % 8 + 8) % 8
            let dataStart = (bitmapSector + 1) * 512
            // The gap (and any footer left there) and the new bitmap read as zeros.
            try write([UInt8](repeating: 0, count: Int(dataStart - endOfData)), at: endOfData)
            if sectors < VHDLayout.sectorsPerBlock {
                try write([UInt8](repeating: 0, count: VHDLayout.blockSize), at: dataStart)
            }
            bat[block] = UInt32(bitmapSector)
            var entry = BigEndianWriter(count: 4)
            entry.put(bat[block], at: 0)
            try write(entry.bytes, at: tableOffset + Int64(block) * 4)
            endOfData = dataStart + Int64(VHDLayout.blockSize)
        }
        let bitmapOffset = Int64(bat[block]) * 512
        try write(data, at: bitmapOffset + 512 + Int64(first) * 512)
        guard batmap[block / 8] & (0x80 >> UInt8(block % 8)) == 0 else { return }
        var bitmap: [UInt8]
        if sectors == VHDLayout.sectorsPerBlock {
            bitmap = [UInt8](repeating: 0xFF, count: VHDLayout.bitmapBytes)
        } else {
            bitmap = try read(count: VHDLayout.bitmapBytes, at: bitmapOffset)
            for sector in first..<(first + sectors) { bitmap[sector / 8] |= 0x80 >> UInt8(sector % 8) }
        }
        try write(bitmap, at: bitmapOffset)
        if bitmap[0..<(VHDLayout.sectorsPerBlock / 8)].allSatisfy({ $0 == 0xFF }) {
            // Written on close: a batmap bit left unset only sends readers to the bitmap.
            batmap[block / 8] |= 0x80 >> UInt8(block % 8)
            batmapChanged = true
        }
    }

    /// The batmap and its header, checksummed over the map's first sectors as blktap does.
    private func writeBatmap() throws(VHDError) {
        try write(Self.batmapHeader(batmapOffset: batmapOffset, batmap: batmap, virtualSize: virtualSize), at: batmapHeaderOffset)
        try write(batmap, at: batmapOffset)
    }

    /// blktap's batmap header for `batmap` at `batmapOffset`.
    static func batmapHeader(batmapOffset: Int64, batmap: [UInt8], virtualSize: Int64) -> [UInt8] {
        var header = BigEndianWriter(count: 512)
        header.put(VHDFormat.batmapCookie, at: 0)
        header.put(UInt64(batmapOffset), at: 8)
        header.put(UInt32(batmap.count / 512), at: 16)
        header.put(UInt32(0x0001_0002), at: 20)
        let summed = max(512, VHDLayout.roundUp(Int(virtualSize >> 24), to: 512))
        header.put(~batmap.prefix(summed).reduce(UInt32(0)) { $0 &+ UInt32($1) }, at: 24)
        return header.bytes
    }

    static func footer(size: Int64, uuid: String, timestamp: UInt32, differencing: Bool) -> [UInt8] {
        var footer = BigEndianWriter(count: 512)
        footer.put(VHDFormat.footerCookie, at: 0)
        footer.put(UInt32(2), at: 8)
        footer.put(UInt32(0x0001_0000), at: 12)
        footer.put(UInt64(512), at: 16)
        footer.put(timestamp, at: 24)
        footer.put(VHDLayout.creatorApplication, at: 28)
        footer.put(VHDLayout.creatorVersion, at: 32)
        footer.put(UInt64(size), at: 40)
        footer.put(UInt64(size), at: 48)
        footer.put(VHDLayout.geometry(size: size), at: 56)
        footer.put(differencing ? VHDFooter.DiskType.differencing.rawValue : VHDFooter.DiskType.dynamic.rawValue, at: 60)
        footer.put(VHDLayout.uuidBytes(uuid), at: 68)
        footer.sealChecksum(at: 64)
        return footer.bytes
    }

    static func header(
        entries: Int, parent: (uuid: String, name: String, timestamp: UInt32)?,
        locators: [(code: UInt32, payload: [UInt8], offset: Int64)]
    ) -> [UInt8] {
        var header = BigEndianWriter(count: 1024)
        header.put(VHDFormat.headerCookie, at: 0)
        header.put(UInt64.max, at: 8)
        header.put(VHDLayout.tableOffset, at: 16)
        header.put(UInt32(0x0001_0000), at: 24)
        header.put(UInt32(entries), at: 28)
        header.put(UInt32(VHDLayout.blockSize), at: 32)
        if let parent {
            header.put(VHDLayout.uuidBytes(parent.uuid), at: 40)
            header.put(parent.timestamp, at: 56)
            header.put(Array(parent.name.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }.prefix(512)), at: 64)
            for (index, locator) in locators.enumerated() {
                let entry = 576 + 24 * index
                header.put(locator.code, at: entry)
                header.put(UInt32(VHDLayout.roundUp(locator.payload.count, to: 512)), at: entry + 4)
                header.put(UInt32(locator.payload.count), at: entry + 8)
                header.put(UInt64(locator.offset), at: entry + 16)
            }
        }
        header.sealChecksum(at: 36)
        return header.bytes
    }

    private func write(_ bytes: [UInt8], at offset: Int64) throws(VHDError) {
        var failure: VHDError?
        bytes.withUnsafeBytes { raw in
            do throws(VHDError) { try write(raw, at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(VHDError) {
        do {
            var done = 0
            while done < bytes.count {
                done += try descriptor.write(
                    toAbsoluteOffset: offset + Int64(done), UnsafeRawBufferPointer(rebasing: bytes[done...]))
            }
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
    }

    private func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(VHDError) {
        do {
            var done = 0
            while done < buffer.count {
                let got = try descriptor.read(
                    fromAbsoluteOffset: offset + Int64(done), into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
                guard got > 0 else { throw VHDError.io(path: path, reason: "short read at \(offset + Int64(done))") }
                done += got
            }
        } catch let error as VHDError {
            throw error
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
    }

    private func read(count: Int, at offset: Int64) throws(VHDError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        do {
            let got = try bytes.withUnsafeMutableBytes { try descriptor.read(fromAbsoluteOffset: offset, into: $0) }
            guard got == count else { throw VHDError.io(path: path, reason: "short read at \(offset)") }
        } catch let error as VHDError {
            throw error
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
        return bytes
    }
}
