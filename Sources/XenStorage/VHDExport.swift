/// A disk's content as a byte stream for `GET /export_raw_vdi`: raw (every byte of the virtual
/// disk), or a dynamic VHD holding only the blocks the chain has allocated; with a base, only the
/// blocks that may differ from it (those allocated above the two chains' common ancestor), which
/// is the incremental export backup tools build on. Streams are produced a block at a time
/// through one 2 MiB buffer; the length is known before the first byte.
public struct VHDExport: Sendable {
    public enum Format: String, Sendable {
        case raw
        case vhd
    }

    public let chain: VHDChain
    public let format: Format
    /// The 2 MiB blocks a VHD stream carries, ascending.
    public let blocks: [Int]

    public init(_ chain: VHDChain, format: Format, base: VHDChain? = nil) {
        self.chain = chain
        self.format = format
        let count = Int((chain.virtualSize + Int64(VHDLayout.blockSize) - 1) / Int64(VHDLayout.blockSize))
        var images = chain.images
        if let base {
            let paths = base.images.map(\.path)
            if let common = chain.images.firstIndex(where: { paths.contains($0.path) }), let baseCommon = paths.firstIndex(of: chain.images[common].path) {
                images = Array(chain.images[..<common]) + Array(base.images[..<baseCommon])
            } else {
                images = chain.images + base.images
            }
        }
        blocks = (0..<count).filter { block in images.contains { $0.holds(block: block, of: VHDLayout.blockSize) } }
    }

    /// The stream's length in bytes.
    public var length: Int64 {
        switch format {
        case .raw: chain.virtualSize
        case .vhd: layout.end + 512
        }
    }

    /// Where a VHD stream puts each carried block's bitmap, and where its data ends.
    private var layout: (tableOffset: Int64, batmapHeader: Int64, bitmaps: [Int64], end: Int64) {
        let entries = Int(size / Int64(VHDLayout.blockSize))
        let tableOffset = Int64(VHDLayout.tableOffset)
        let batmapHeader = tableOffset + Int64(VHDLayout.batBytes(entries))
        var end = batmapHeader + 512 + Int64(VHDLayout.batmapSectors(entries) * 512)
        var bitmaps: [Int64] = []
        for _ in blocks {
            var sector = (end + 511) / 512
            sector += (7 - sector % 8 + 8) % 8
            bitmaps.append(sector * 512)
            end = (sector + 1) * 512 + Int64(VHDLayout.blockSize)
        }
        return (tableOffset, batmapHeader, bitmaps, end)
    }

    /// The VHD's size: the disk's, rounded up to 2 MiB.
    private var size: Int64 {
        (chain.virtualSize + Int64(VHDLayout.blockSize) - 1) / Int64(VHDLayout.blockSize) * Int64(VHDLayout.blockSize)
    }

    /// Sends the stream to `emit` in pieces of at most 2 MiB (plus metadata); `uuid` and
    /// `timestamp` go into a VHD stream's footer.
    public func write(uuid: String, timestamp: UInt32, emit: ([UInt8]) async throws -> Void) async throws {
        switch format {
        case .raw:
            var offset: Int64 = 0
            while offset < chain.virtualSize {
                let count = Int(min(Int64(VHDLayout.blockSize), chain.virtualSize - offset))
                try await emit(try read(at: offset, count: count))
                offset += Int64(count)
            }
        case .vhd:
            try await writeVHD(uuid: uuid, timestamp: timestamp, emit: emit)
        }
    }

    private func writeVHD(uuid: String, timestamp: UInt32, emit: ([UInt8]) async throws -> Void) async throws {
        let layout = self.layout
        let entries = Int(size / Int64(VHDLayout.blockSize))
        let footer = VHDWriter.footer(size: size, uuid: uuid, timestamp: timestamp, differencing: false)
        var metadata = footer + VHDWriter.header(entries: entries, parent: nil, locators: [])
        var table = BigEndianWriter(count: VHDLayout.batBytes(entries))
        for index in 0..<entries { table.put(VHDFormat.unallocated, at: index * 4) }
        var batmap = [UInt8](repeating: 0, count: VHDLayout.batmapSectors(entries) * 512)
        for (block, bitmap) in zip(blocks, layout.bitmaps) {
            table.put(UInt32(bitmap / 512), at: block * 4)
            batmap[block / 8] |= 0x80 >> UInt8(block % 8)
        }
        metadata += table.bytes
        metadata += VHDWriter.batmapHeader(batmapOffset: layout.batmapHeader + 512, batmap: batmap, virtualSize: size)
        metadata += batmap
        var position = Int64(metadata.count)
        try await emit(metadata)
        let fullBitmap = [UInt8](repeating: 0xFF, count: VHDLayout.bitmapBytes)
        for (block, bitmapOffset) in zip(blocks, layout.bitmaps) {
            let offset = Int64(block) * Int64(VHDLayout.blockSize)
            var data = try read(at: offset, count: Int(min(Int64(VHDLayout.blockSize), chain.virtualSize - offset)))
            if data.count < VHDLayout.blockSize { data += [UInt8](repeating: 0, count: VHDLayout.blockSize - data.count) }
            try await emit([UInt8](repeating: 0, count: Int(bitmapOffset - position)) + fullBitmap)
            try await emit(data)
            position = bitmapOffset + 512 + Int64(VHDLayout.blockSize)
        }
        try await emit(footer)
    }

    private func read(at offset: Int64, count: Int) throws(VHDError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var failure: VHDError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(VHDError) { try chain.read(at: offset, into: buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        return bytes
    }
}
