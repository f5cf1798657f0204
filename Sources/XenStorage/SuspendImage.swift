import CFileIO
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A suspended guest's image in a disk (a VM's suspend VDI), as xenopsd frames its suspend
/// images: a header in the first 4 KiB saying what wrote the stream, for which machine and how
/// long it is, then the hypervisor's stream of the guest's state. The header is written last, so
/// a disk whose header is missing holds no finished image (a suspend that died part-way).
public struct SuspendImage: Sendable, Hashable, Codable {
    /// The stream's kind (`qemu-migration`: QEMU's migration stream).
    public var format: String
    /// What wrote it (`QEMU 7.2.19`): a reader may be newer, never older.
    public var producer: String
    /// The machine type the guest ran on; the guest resumes only on the same one.
    public var machine: String
    /// The stream's length, in bytes.
    public var length: Int64

    public init(format: String, producer: String, machine: String, length: Int64) {
        self.format = format
        self.producer = producer
        self.machine = machine
        self.length = length
    }

    /// The header's first bytes.
    static let magic = Array("swift-xapi suspend image v1\n".utf8)
    /// Where the stream starts: after the header's room.
    public static let streamOffset: Int64 = 4096

    /// How much of the stream moves at once from `done` bytes in: the rest of the VHD block
    /// there, so that each write fills a block (a new block is not zero-filled first) and each
    /// read stays in one.
    static func step(after done: Int64) -> Int {
        VHDLayout.blockSize - Int((streamOffset + done) % Int64(VHDLayout.blockSize))
    }

    /// The room a stream of a guest with `memory` bytes needs, with the header: xapi's 1.2 × 1.05
    /// of the memory and 100 MiB for the devices.
    public static func diskSize(forMemory memory: Int64) -> Int64 {
        memory / 100 * 126 + (100 << 20) + streamOffset
    }

    /// The header of the image in `disk`; `nil` when it holds no finished image.
    public static func read(from disk: VHDDisk) -> SuspendImage? {
        guard disk.size >= streamOffset, let bytes = try? disk.read(at: 0, count: Int(streamOffset)),
            bytes.starts(with: magic)
        else { return nil }
        let body = bytes[magic.count...].prefix { $0 != 0 }
        guard let header = try? JSONDecoder().decode(SuspendImage.self, from: Data(body)),
            header.length >= 0, streamOffset + header.length <= disk.size
        else { return nil }
        return header
    }

    /// Writes the header, so the image counts as finished, and makes the disk durable.
    public func write(to disk: VHDDisk) throws(VHDError) {
        guard let json = try? JSONEncoder().encode(self), Self.magic.count + json.count < Int(Self.streamOffset) else {
            throw .io(path: disk.path, reason: "the suspend image header does not fit")
        }
        var header = Self.magic + Array(json)
        header += [UInt8](repeating: 0, count: Int(Self.streamOffset) - header.count)
        try disk.flush()
        try disk.write(at: 0, header)
        try disk.flush()
    }

    /// Clears the header of whatever image `disk` held, before a new stream goes in.
    public static func erase(_ disk: VHDDisk) throws(VHDError) {
        try disk.write(at: 0, [UInt8](repeating: 0, count: Int(streamOffset)))
    }

    /// Copies the stream `descriptor` yields, to its end, into `disk` after the header's room,
    /// and returns its length; the disk is asked to write back as the stream comes, so the flush
    /// that makes the image durable has little left to do. Blocks: run it off the caller's thread.
    public static func receive(from descriptor: Int32, into disk: VHDDisk) throws(VHDError) -> Int64 {
        var buffer = [UInt8](repeating: 0, count: VHDLayout.blockSize)
        var length: Int64 = 0
        while true {
            let wanted = step(after: length)
            var filled = 0
            while filled < wanted {
                let count = buffer.withUnsafeMutableBytes { raw in
                    Glibc.read(descriptor, raw.baseAddress! + filled, wanted - filled)
                }
                if count < 0, errno == EINTR { continue }
                guard count >= 0 else { throw .io(path: disk.path, reason: "reading the stream: \(String(cString: strerror(errno)))") }
                if count == 0 { break }
                filled += count
            }
            guard filled > 0 else { return length }
            guard streamOffset + length + Int64(filled) <= disk.size else {
                throw .io(path: disk.path, reason: "the stream is larger than the disk")
            }
            try disk.write(at: streamOffset + length, filled == buffer.count ? buffer : Array(buffer[0..<filled]))
            disk.startWriteback()
            length += Int64(filled)
            if filled < wanted { return length }
        }
    }

    /// Sends the image's stream from `disk` into `descriptor`, a socket (a reader that goes away
    /// fails the send, never the process): each run the disk's file holds whole goes from the
    /// file to the socket without passing through here, the rest is read and sent. Blocks: run
    /// it off the caller's thread.
    public func send(from disk: VHDDisk, to descriptor: Int32) throws(VHDError) {
        let file = open(disk.path, O_RDONLY | O_CLOEXEC)
        defer { if file >= 0 { close(file) } }
        var sent: Int64 = 0
        while sent < length {
            let count = Int(min(Int64(Self.step(after: sent)), length - sent))
            let position = Self.streamOffset + sent
            if file >= 0, let run = try disk.leafRun(at: position, count: count) {
                var from = off_t(run)
                var left = count
                while left > 0 {
                    let done = file_send_quietly(descriptor, file, &from, left)
                    if done < 0, errno == EINTR { continue }
                    guard done > 0 else { throw .io(path: disk.path, reason: "sending the stream: \(String(cString: strerror(errno)))") }
                    left -= done
                }
            } else {
                let bytes = try disk.read(at: position, count: count)
                var offset = 0
                while offset < bytes.count {
                    let done = bytes.withUnsafeBytes { raw in
                        Glibc.send(descriptor, raw.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                    }
                    if done < 0, errno == EINTR { continue }
                    guard done > 0 else { throw .io(path: disk.path, reason: "sending the stream: \(String(cString: strerror(errno)))") }
                    offset += done
                }
            }
            sent += Int64(count)
        }
    }
}
