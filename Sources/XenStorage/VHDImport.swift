/// An uploaded disk image (`PUT /import_raw_vdi`) written into a VDI's leaf VHD as it arrives:
/// raw (the whole disk, in order) or a dynamic or differencing VHD (only the sectors its block
/// bitmaps hold: an incremental export applied onto a copy of its base). Reads go strictly
/// forward through the stream, one block in memory at a time.
public enum VHDImport {
    /// Writes a raw stream of at most `writer`'s size: each 2 MiB block that is not all zeros,
    /// or that `holdsData` says the disk's chain already has data for (so zeros must replace it).
    /// Returns the bytes read.
    @discardableResult
    public static func raw(
        from reader: inout ByteStreamReader, into writer: VHDWriter, holdsData: (Int) -> Bool,
        progress: (Int64) async -> Void = { _ in }
    ) async throws -> Int64 {
        var offset: Int64 = 0
        while true {
            var block = try await reader.read(upTo: VHDLayout.blockSize)
            if block.isEmpty { break }
            guard offset + Int64(block.count) <= writer.size else {
                throw VHDError.outOfRange(offset: offset, length: block.count, size: writer.size)
            }
            if block.count % 512 != 0 { block += [UInt8](repeating: 0, count: 512 - block.count % 512) }
            let index = Int(offset / Int64(VHDLayout.blockSize))
            if holdsData(index) || !block.withUnsafeBytes(isAllZero) {
                try block.withUnsafeBytes { try writer.write(at: offset, $0) }
            }
            offset += Int64(block.count)
            await progress(offset)
        }
        return offset
    }

    /// Writes the sectors a streamed dynamic or differencing VHD holds; returns its virtual size.
    @discardableResult
    public static func vhd(
        from reader: inout ByteStreamReader, into writer: VHDWriter, progress: (Int64) async -> Void = { _ in }
    ) async throws -> Int64 {
        let footer = try VHDFooter(parsing: try await reader.read(512)[...])
        guard footer.diskType != .fixed, footer.dataOffset >= 512 else {
            throw VHDError.malformed(structure: "upload", reason: "a fixed VHD cannot be streamed; send it as raw")
        }
        try await reader.skip(Int64(footer.dataOffset) - reader.position)
        let header = try VHDHeader(parsing: try await reader.read(1024)[...])
        guard Int64(header.tableOffset) >= reader.position else {
            throw VHDError.malformed(structure: "upload", reason: "the BAT lies before the header's end")
        }
        try await reader.skip(Int64(header.tableOffset) - reader.position)
        let entries = Int(header.maxTableEntries)
        guard Int64(entries) * Int64(header.blockSize) >= Int64(footer.currentSize) else {
            throw VHDError.malformed(structure: "BAT", reason: "\(entries) entries do not cover the disk")
        }
        let table = BigEndianFields(try await reader.read(entries * 4)[...])
        let sectorsPerBlock = Int(header.blockSize) / 512
        let bitmapBytes = VHDLayout.roundUp((sectorsPerBlock + 7) / 8, to: 512)
        let blocks = (0..<entries).map { ($0, table.uint32($0 * 4)) }.filter { $0.1 != VHDFormat.unallocated }.sorted { $0.1 < $1.1 }
        let virtualSize = Int64(footer.currentSize)
        for (block, sector) in blocks {
            let offset = Int64(sector) * 512
            guard offset >= reader.position else {
                throw VHDError.malformed(structure: "BAT", reason: "block \(block) overlaps what precedes it")
            }
            try await reader.skip(offset - reader.position)
            let bitmap = try await reader.read(bitmapBytes)
            let data = try await reader.read(Int(header.blockSize))
            var first = 0
            while first < sectorsPerBlock {
                guard bitmap[first / 8] & (0x80 >> UInt8(first % 8)) != 0 else {
                    first += 1
                    continue
                }
                var end = first + 1
                while end < sectorsPerBlock, bitmap[end / 8] & (0x80 >> UInt8(end % 8)) != 0 { end += 1 }
                let start = Int64(block) * Int64(header.blockSize) + Int64(first) * 512
                let length = Int(min(Int64(end - first) * 512, max(0, virtualSize - start)))
                // qemu sizes a VHD by its CHS geometry, a little past the disk: that tail must be empty.
                let fits = Int(min(Int64(length), max(0, writer.size - start)))
                if data[(first * 512 + fits)..<(first * 512 + length)].contains(where: { $0 != 0 }) {
                    throw VHDError.outOfRange(offset: start, length: length, size: writer.size)
                }
                if fits > 0 {
                    try data[(first * 512)..<(first * 512 + fits)].withUnsafeBytes { try writer.write(at: start, $0) }
                }
                first = end
            }
            await progress(reader.position)
        }
        return virtualSize
    }
}
