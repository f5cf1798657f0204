/// A full copy of a chain into one new dynamic VHD (what `VDI.copy` and `VM.copy` do to undo a
/// long clone chain): read a block at a time through the chain, into one fixed 2 MiB buffer,
/// skipping blocks no file of the chain has allocated and blocks that read as zeros.
public enum VHDCopy {
    /// Writes `chain`'s content into a new dynamic VHD at `path`; returns how many blocks it wrote.
    @discardableResult
    public static func flatten(_ chain: VHDChain, to path: String, uuid: String, timestamp: UInt32) throws(VHDError) -> Int {
        let size = chain.virtualSize
        let writer = try VHDWriter.createDynamic(
            path: path, size: (size + Int64(VHDLayout.blockSize) - 1) / Int64(VHDLayout.blockSize) * Int64(VHDLayout.blockSize),
            uuid: uuid, timestamp: timestamp)
        var buffer = [UInt8](repeating: 0, count: VHDLayout.blockSize)
        var written = 0
        var failure: VHDError?
        let blocks = Int((size + Int64(VHDLayout.blockSize) - 1) / Int64(VHDLayout.blockSize))
        for block in 0..<blocks where chain.images.contains(where: { $0.holds(block: block, of: VHDLayout.blockSize) }) {
            let offset = Int64(block) * Int64(VHDLayout.blockSize)
            let count = Int(min(Int64(VHDLayout.blockSize), size - offset))
            buffer.withUnsafeMutableBytes { raw in
                do throws(VHDError) {
                    let target = UnsafeMutableRawBufferPointer(rebasing: raw[0..<count])
                    try chain.read(at: offset, into: target)
                    guard !isAllZero(UnsafeRawBufferPointer(target)) else { return }
                    try writer.write(at: offset, UnsafeRawBufferPointer(target))
                    written += 1
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
        }
        try writer.close()
        return written
    }
}

extension VHDImage {
    /// Whether this file has data for the given 2 MiB-aligned region (a fixed disk has all of it).
    func holds(block: Int, of blockSize: Int) -> Bool {
        guard footer.diskType != .fixed else { return Int64(block) * Int64(blockSize) < virtualSize }
        guard let header, header.blockSize > 0 else { return false }
        let perRegion = max(1, blockSize / Int(header.blockSize))
        // A parent smaller than its (resized) child has no entries that far.
        guard block * perRegion < bat.count else { return false }
        return (block * perRegion..<min(bat.count, (block + 1) * perRegion)).contains { bat[$0] != VHDFormat.unallocated }
    }
}
