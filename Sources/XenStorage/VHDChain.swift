import SystemPackage

/// A VHD and its parents, leaf first: the disk a VM sees. Reads resolve each sector as blktap
/// does (`__vhd_io_dynamic_read`): from the first file, leaf first, whose sector bitmap has it,
/// else zeros; blocks a file has not allocated, and sectors no bitmap has, are never read.
public struct VHDChain: Sendable {
    /// Leaf first.
    public let images: [VHDImage]

    /// The deepest chain xapi lets a VDI have, which bounds the parents followed here.
    public static let maximumDepth = 30

    /// Opens `path` and every parent its locators find, checking each parent's uuid against the
    /// uuid its child's header names.
    public init(path: String) throws(VHDError) {
        var images = [try VHDImage(path: path)]
        while let child = images.last, child.footer.diskType == .differencing, let header = child.header {
            guard images.count < Self.maximumDepth else {
                throw .malformed(structure: "chain", reason: "deeper than \(Self.maximumDepth)")
            }
            let candidates = try child.parentCandidates()
            guard let parent = candidates.lazy.compactMap({ try? VHDImage(path: $0) }).first else {
                throw .parentNotFound(child: child.path, tried: candidates)
            }
            guard parent.footer.uuid == header.parentUUID else { throw .parentMismatch(child: child.path, parent: parent.path) }
            images.append(parent)
        }
        self.images = images
    }

    /// Whether a file of the chain has data for the 2 MiB block.
    public func holdsData(block: Int) -> Bool {
        images.contains { $0.holds(block: block, of: VHDLayout.blockSize) }
    }

    /// The size the guest sees.
    public var virtualSize: Int64 { images[0].virtualSize }

    /// Fills `buffer` with the disk's bytes from `offset`; both must be multiples of 512.
    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(VHDError) {
        let sectorSize = Int64(VHDFormat.sectorSize)
        guard offset % sectorSize == 0, buffer.count % VHDFormat.sectorSize == 0, offset >= 0,
            offset + Int64(buffer.count) <= virtualSize
        else { throw .outOfRange(offset: offset, length: buffer.count, size: virtualSize) }
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        let first = offset / sectorSize
        let count = buffer.count / VHDFormat.sectorSize
        var done = [Bool](repeating: false, count: count)
        var remaining = count
        for image in images {
            // Sectors beyond a (smaller) parent's size read as zeros.
            let limit = min(count, max(0, Int((image.virtualSize / sectorSize) - first)))
            for index in limit..<count where !done[index] {
                done[index] = true
                remaining -= 1
            }
            remaining -= try copy(from: image, first: first, count: limit, done: &done, into: buffer)
            if remaining == 0 || image.footer.diskType != .differencing { break }
        }
    }

    /// Copies from `image` every sector not yet done that it holds; returns how many it copied.
    private func copy(
        from image: VHDImage, first: Int64, count: Int, done: inout [Bool], into buffer: UnsafeMutableRawBufferPointer
    ) throws(VHDError) -> Int {
        var copied = 0
        // Copies the run of sectors [start, end) of the request from the file at `fileOffset`.
        func run(_ start: Int, _ end: Int, fileOffset: Int64) throws(VHDError) {
            guard end > start else { return }
            let target = UnsafeMutableRawBufferPointer(
                rebasing: buffer[(start * VHDFormat.sectorSize)..<(end * VHDFormat.sectorSize)])
            try image.read(into: target, at: fileOffset)
            for index in start..<end { done[index] = true }
            copied += end - start
        }
        if image.footer.diskType == .fixed {
            var index = 0
            while index < count {
                guard !done[index] else { index += 1; continue }
                let start = index
                while index < count, !done[index] { index += 1 }
                try run(start, index, fileOffset: (first + Int64(start)) * 512)
            }
            return copied
        }
        let perBlock = image.sectorsPerBlock
        var index = 0
        while index < count {
            let sector = first + Int64(index)
            let block = Int(sector / Int64(perBlock))
            let inBlock = Int(sector % Int64(perBlock))
            let span = min(count - index, perBlock - inBlock)
            if let bitmap = try image.bitmap(ofBlock: block) {
                var position = 0
                while position < span {
                    let bit = inBlock + position
                    let present = bitmap[bit / 8] & (0x80 >> UInt8(bit % 8)) != 0
                    guard present, !done[index + position] else { position += 1; continue }
                    let start = position
                    while position < span, !done[index + position],
                        bitmap[(inBlock + position) / 8] & (0x80 >> UInt8((inBlock + position) % 8)) != 0
                    {
                        position += 1
                    }
                    try run(index + start, index + position, fileOffset: image.dataOffset(block: block, sector: inBlock + start))
                }
            }
            index += span
        }
        return copied
    }
}
