/// `vhd-util check`'s rules, applied to one opened file: each problem found, in a line. An empty
/// list means the file is valid as XenServer's own tools judge it.
public enum VHDCheck {
    /// The problems of `image`. With `now` (seconds since 2000-01-01), a footer timestamp in the
    /// future is one too (with vhd-util's day of slack).
    public static func problems(of image: VHDImage, now: UInt32? = nil) -> [String] {
        var found = footerProblems(image, now: now)
        guard let header = image.header else { return found }
        found += headerProblems(image, header)
        found += tableProblems(image, header)
        return found
    }

    private static func footerProblems(_ image: VHDImage, now: UInt32?) -> [String] {
        let footer = image.footer
        var found: [String] = []
        if !image.primaryFooterValid { found.append("primary footer invalid") }
        if footer.features & 0x2 == 0 || footer.features & ~0x3 != 0 { found.append("invalid features 0x\(String(footer.features, radix: 16))") }
        if footer.version != 0x0001_0000 { found.append("invalid file version 0x\(String(footer.version, radix: 16))") }
        if footer.diskType == .fixed, footer.dataOffset != UInt64.max { found.append("fixed disk has a data offset") }
        if let now, footer.timestamp > now &+ 86_400 { found.append("creation time in the future") }
        if footer.creatorApplication == Array("tap\0".utf8), footer.creatorVersion > 0x0001_0003 {
            found.append("unsupported tap creator version 0x\(String(footer.creatorVersion, radix: 16))")
        }
        if footer.geometry > VHDLayout.geometry(size: Int64(footer.currentSize)) { found.append("geometry too large") }
        if footer.savedState > 1 { found.append("invalid saved state \(footer.savedState)") }
        if footer.hidden > 1 { found.append("invalid hidden flag \(footer.hidden)") }
        if footer.uuid == "00000000-0000-0000-0000-000000000000" { found.append("null uuid") }
        if let raw = try? image.read(at: image.primaryFooterValid ? image.fileSize - 512 : 0, count: 512),
            raw[86..<512].contains(where: { $0 != 0 })
        {
            found.append("footer reserved bytes are not zero")
        }
        if footer.diskType != .fixed, image.primaryFooterValid,
            let copy = try? image.read(at: 0, count: 512), let primary = try? image.read(at: image.fileSize - 512, count: 512),
            copy != primary
        {
            found.append("primary and backup footers differ")
        }
        return found
    }

    private static func headerProblems(_ image: VHDImage, _ header: VHDHeader) -> [String] {
        var found: [String] = []
        if header.version != 0x0001_0000 { found.append("invalid header version 0x\(String(header.version, radix: 16))") }
        let null = "00000000-0000-0000-0000-000000000000"
        if image.footer.diskType == .dynamic,
            header.parentUUID != null || !header.parentName.isEmpty || header.parentTimestamp != 0 || !header.locators.isEmpty
        {
            found.append("dynamic disk has parent fields")
        }
        if image.footer.diskType == .differencing, header.parentUUID == null { found.append("differencing disk without a parent uuid") }
        return found
    }

    private static func tableProblems(_ image: VHDImage, _ header: VHDHeader) -> [String] {
        var found: [String] = []
        let perBlock = Int64(header.blockSize)
        let needed = (Int64(image.footer.currentSize) + perBlock - 1) / perBlock
        if Int64(header.maxTableEntries) < needed { found.append("BAT too small for the disk") }
        var endOfMetadata = Int64(header.tableOffset) + Int64(VHDLayout.batBytes(Int(header.maxTableEntries)))
        if let batmap = image.batmap { endOfMetadata += 512 + Int64(batmap.count) }
        for locator in header.locators {
            endOfMetadata = max(endOfMetadata, Int64(locator.offset) + Int64(locator.space))
        }
        let blockBytes = Int64(VHDLayout.bitmapBytes) + perBlock
        let endOfData = image.primaryFooterValid ? image.fileSize - 512 : image.fileSize
        var placed: [(Int64, Int64, Int)] = []
        for (block, entry) in image.bat.enumerated() where entry != VHDFormat.unallocated {
            let start = Int64(entry) * 512
            if start < endOfMetadata { found.append("block \(block) clobbers the metadata") }
            if start + blockBytes > endOfData { found.append("block \(block) runs past the end of the file") }
            placed.append((start, start + blockBytes, block))
        }
        placed.sort { $0.0 < $1.0 }
        for (previous, next) in zip(placed, placed.dropFirst()) where next.0 < previous.1 {
            found.append("block \(next.2) clobbers block \(previous.2)")
        }
        if let batmap = image.batmap {
            for block in 0..<min(image.bat.count, batmap.count * 8)
            where batmap[block / 8] & (0x80 >> UInt8(block % 8)) != 0 && image.bat[block] == VHDFormat.unallocated {
                found.append("batmap shows unallocated block \(block) full")
            }
        }
        return found
    }
}
