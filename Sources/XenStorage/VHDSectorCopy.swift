/// Copies the sectors one VHD file holds, and only those, into a writer at the same offsets:
/// what `vhd-util coalesce` does for each allocated block (the whole block when the batmap says
/// it is full, else each run of sectors its bitmap has).
enum VHDSectorCopy {
    /// Copies every sector `image` itself holds (not its parents') into `writer`; returns how
    /// many sectors it copied.
    @discardableResult
    static func copyAllocated(from image: VHDImage, into writer: VHDWriter) throws(VHDError) -> Int {
        guard image.footer.diskType != .fixed else {
            throw .malformed(structure: "disk", reason: "\(image.path) is a fixed disk, not a dynamic or differencing one")
        }
        var buffer = [UInt8](repeating: 0, count: VHDLayout.blockSize)
        var copied = 0
        let perBlock = image.sectorsPerBlock
        for block in 0..<image.bat.count {
            guard let bitmap = try image.bitmap(ofBlock: block) else { continue }
            var sector = 0
            while sector < perBlock {
                guard bitmap[sector / 8] & (0x80 >> UInt8(sector % 8)) != 0 else {
                    sector += 1
                    continue
                }
                var end = sector + 1
                while end < perBlock, bitmap[end / 8] & (0x80 >> UInt8(end % 8)) != 0 { end += 1 }
                let offset = (Int64(block) * Int64(perBlock) + Int64(sector)) * 512
                let count = min((end - sector) * 512, Int(max(0, image.virtualSize - offset)))
                if count > 0 {
                    var failure: VHDError?
                    buffer.withUnsafeMutableBytes { raw in
                        let run = UnsafeMutableRawBufferPointer(rebasing: raw[0..<count])
                        do throws(VHDError) {
                            try image.read(into: run, at: image.dataOffset(block: block, sector: sector))
                            try writer.write(at: offset, UnsafeRawBufferPointer(run))
                        } catch {
                            failure = error
                        }
                    }
                    if let failure { throw failure }
                    copied += count / 512
                }
                sector = end
            }
        }
        return copied
    }
}
