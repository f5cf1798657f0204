/// Why an XVA's disk data could not be taken in.
public enum XVAStreamError: Error, Sendable, Equatable {
    /// A member other than the one the format calls for next.
    case unexpectedMember(expected: String, actual: String)
    /// A chunk whose checksum member disagrees with its data (xapi: "Block … checksum failed").
    case checksumFailed(block: String, original: String, recomputed: String)
    /// The stream ended before the disk was whole.
    case prematureEnd
}

/// Receives one disk of an XVA as xapi's `recv_all_vdi` does: members `<prefix>/%08d` in
/// increasing order until the disk's size is placed; a gap of g numbers is g chunks of the first
/// chunk's length, left unwritten (the new disk reads zeros there); a 0-byte chunk (a keep-alive)
/// places nothing; each chunk is followed by its `.xxhash` (XXH64) or `.checksum` (SHA-1) member,
/// checked unless `force`. All-zero chunks are not written, so the disk stays sparse.
public enum XVADiskReceiver {
    public static func receive(
        from tar: inout TarReader, prefix: String, virtualSize: Int64, into writer: VHDWriter, force: Bool,
        progress: (Int64) async -> Void = { _ in }
    ) async throws {
        var offset: Int64 = 0
        var previous = -1
        var firstLength: Int64?
        var block = BlockAssembly(writer: writer)
        while offset < virtualSize {
            guard let member = try await tar.next() else { throw XVAStreamError.prematureEnd }
            let parts = member.name.split(separator: "/", maxSplits: 1)
            guard parts.count == 2, parts[0] == prefix, parts[1].count == 8, let number = Int(parts[1]), number > previous else {
                throw XVAStreamError.unexpectedMember(expected: "\(prefix)/\(XVADiskStream.number(previous + 1))", actual: member.name)
            }
            let length = member.size
            if firstLength == nil { firstLength = length }
            offset += Int64(number - previous - 1) * (firstLength ?? 0)
            previous = number
            guard offset + length <= writer.size else {
                throw XVAStreamError.unexpectedMember(expected: "a chunk within the disk's \(virtualSize) bytes", actual: member.name)
            }
            var data = try await tar.readData()
            guard let check = try await tar.next() else { throw XVAStreamError.prematureEnd }
            let stated = String(decoding: try await tar.readData(), as: UTF8.self).trimmingSpaces
            guard let checksum = XVAChunkChecksum.kind(of: check.name, chunk: member.name) else {
                throw XVAStreamError.unexpectedMember(expected: member.name + ".xxhash", actual: check.name)
            }
            if !force, !data.withUnsafeBytes({ checksum.matches(stated, $0) }) {
                let recomputed = data.withUnsafeBytes { checksum.text($0) }
                throw XVAStreamError.checksumFailed(block: member.name, original: stated, recomputed: recomputed)
            }
            if !data.isEmpty {
                if data.count % 512 != 0 { data += [UInt8](repeating: 0, count: 512 - data.count % 512) }
                if !data.withUnsafeBytes(isAllZero) { try block.place(data, at: offset) }
            }
            offset += length
            await progress(min(offset, virtualSize))
        }
        try block.flush()
    }

    /// Gathers chunks into whole 2 MiB blocks before they reach the VHD, so a new block is
    /// written once, whole, rather than zero-filled and then written half by half.
    struct BlockAssembly {
        let writer: VHDWriter
        var index: Int?
        var bytes = [UInt8](repeating: 0, count: VHDLayout.blockSize)

        init(writer: VHDWriter) { self.writer = writer }

        /// Puts `data` (a whole number of sectors) at `offset`, writing out the block before
        /// when it starts another.
        mutating func place(_ data: [UInt8], at offset: Int64) throws(VHDError) {
            var done = 0
            while done < data.count {
                let position = offset + Int64(done)
                let target = Int(position / Int64(VHDLayout.blockSize))
                if index != target {
                    try flush()
                    index = target
                }
                let inBlock = Int(position % Int64(VHDLayout.blockSize))
                let take = min(data.count - done, VHDLayout.blockSize - inBlock)
                bytes.replaceSubrange(inBlock..<(inBlock + take), with: data[done..<(done + take)])
                done += take
            }
        }

        /// Writes the gathered block, if any (the part past the disk's end left out).
        mutating func flush() throws(VHDError) {
            guard let current = index else { return }
            let start = Int64(current) * Int64(VHDLayout.blockSize)
            let length = Int(min(Int64(VHDLayout.blockSize), writer.size - start))
            let written: Result<Void, VHDError> = bytes.withUnsafeBytes { raw in
                do throws(VHDError) {
                    return .success(try writer.write(at: start, UnsafeRawBufferPointer(rebasing: raw[0..<length])))
                } catch {
                    return .failure(error)
                }
            }
            try written.get()
            bytes.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
            index = nil
        }
    }
}

extension String {
    /// Without leading and trailing whitespace.
    fileprivate var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
