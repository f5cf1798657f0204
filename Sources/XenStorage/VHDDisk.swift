import Synchronization

/// A VHD VDI opened for a running guest, as tapdisk opens one: reads resolve through the chain
/// (the leaf's sectors as they now are, then its parents', then zeros), writes go into the leaf
/// with blktap's layout, and a flush makes them durable. Any byte range may be read or written:
/// partial sectors are read, patched and written whole. One disk serialises its callers, so two
/// clients of one VDI (the ends of a migration) never interleave inside a write.
public final class VHDDisk: Sendable {
    private struct Files: ~Copyable {
        /// The leaf, open for writing; `nil` when the disk is read-only.
        var writer: VHDWriter?
        /// The leaf's parents, or (read-only) the whole chain.
        let below: VHDChain?
        var closed = false
    }

    private let files: Mutex<Files>
    /// The size the guest sees, in bytes.
    public let size: Int64
    public let path: String
    public let readOnly: Bool

    /// Opens the VHD at `path` and its parents; `readOnly`, or a fixed VHD, takes no writes.
    public init(path: String, readOnly: Bool) throws(VHDError) {
        let chain = try VHDChain(path: path)
        self.path = path
        size = chain.virtualSize
        let writable = !readOnly && chain.images[0].footer.diskType != .fixed
        self.readOnly = !writable
        if writable {
            let writer = try VHDWriter.open(path: path)
            let below = chain.images.count > 1 ? try VHDChain(path: chain.images[1].path) : nil
            files = Mutex(Files(writer: writer, below: below))
        } else {
            files = Mutex(Files(writer: nil, below: chain))
        }
    }

    /// `count` bytes from `offset`.
    public func read(at offset: Int64, count: Int) throws(VHDError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset + Int64(count) <= size else {
            throw .outOfRange(offset: offset, length: count, size: size)
        }
        let start = offset / 512 * 512
        let end = (offset + Int64(count) + 511) / 512 * 512
        let sectors = try files.withLock { (files: inout Files) throws(VHDError) -> [UInt8] in
            guard !files.closed else { throw .io(path: path, reason: "the disk is closed") }
            return try Self.readSectors(files, at: start, count: Int(end - start))
        }
        let skip = Int(offset - start)
        return skip == 0 && sectors.count == count ? sectors : Array(sectors[skip..<(skip + count)])
    }

    /// Where the `count` bytes from `offset` lie, as one run, in the leaf's file (`path`), when
    /// the leaf holds every one of them and the disk takes no writes (so they stay there); `nil`
    /// otherwise. A reader may then take them from the file itself.
    public func leafRun(at offset: Int64, count: Int) throws(VHDError) -> Int64? {
        try files.withLock { (files: inout Files) throws(VHDError) -> Int64? in
            guard !files.closed, files.writer == nil, let chain = files.below else { return nil }
            return try chain.images[0].heldRun(at: offset, count: count)
        }
    }

    /// Writes `bytes` at `offset`.
    public func write(at offset: Int64, _ bytes: [UInt8]) throws(VHDError) {
        guard offset >= 0, offset + Int64(bytes.count) <= size else {
            throw .outOfRange(offset: offset, length: bytes.count, size: size)
        }
        guard !bytes.isEmpty else { return }
        try files.withLock { (files: inout Files) throws(VHDError) in
            guard !files.closed, let writer = files.writer else { throw .io(path: path, reason: "the disk is read-only") }
            let start = offset / 512 * 512
            let end = (offset + Int64(bytes.count) + 511) / 512 * 512
            var sectors: [UInt8]
            if start == offset, end == offset + Int64(bytes.count) {
                sectors = bytes
            } else {
                // The partial sectors at either end keep the bytes around the write.
                sectors = try Self.readSectors(files, at: start, count: Int(end - start))
                let skip = Int(offset - start)
                sectors.replaceSubrange(skip..<(skip + bytes.count), with: bytes)
            }
            var failure: VHDError?
            sectors.withUnsafeBytes { raw in
                do throws(VHDError) { try writer.write(at: start, raw) } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    /// Makes every write so far durable.
    public func flush() throws(VHDError) {
        try files.withLock { (files: inout Files) throws(VHDError) in
            guard !files.closed else { return }
            try files.writer?.flush()
        }
    }

    /// Starts writing what has been written so far to the disk, without waiting for it: a
    /// long stream of writes asks for this as it goes, so the `flush` at its end finds little
    /// left to do.
    public func startWriteback() {
        files.withLock { (files: inout Files) in
            guard !files.closed else { return }
            files.writer?.startWriteback()
        }
    }

    /// Flushes and closes the leaf; later reads and writes fail.
    public func close() throws(VHDError) {
        try files.withLock { (files: inout Files) throws(VHDError) in
            guard !files.closed else { return }
            files.closed = true
            try files.writer?.close()
        }
    }

    /// Whole sectors from `start`: the parents' (zeros beyond a smaller parent), then the leaf's.
    private static func readSectors(_ files: borrowing Files, at start: Int64, count: Int) throws(VHDError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var failure: VHDError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(VHDError) {
                if let below = files.below, start < below.virtualSize {
                    let visible = Int(min(Int64(count), below.virtualSize - start))
                    try below.read(at: start, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<visible]))
                }
                try files.writer?.readHeld(at: start, into: buffer)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return bytes
    }
}
