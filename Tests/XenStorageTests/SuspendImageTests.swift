import Foundation
import Testing

import XenStorage

#if canImport(Glibc)
    import Glibc
#endif

/// A suspend image in a VHD: the stream goes in block by block and comes back out byte for
/// byte, from the file itself where the disk holds a whole run.
@Suite("suspend images")
struct SuspendImageTests {
    /// A stream that is not a whole number of blocks or sectors, so both ways of sending it run.
    static let stream: [UInt8] = (0..<((5 << 20) + 777)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

    /// A connected pair of stream sockets.
    static func socketPair() throws -> (Int32, Int32) {
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0 else { throw VHDError.io(path: "", reason: "socketpair") }
        return (ends[0], ends[1])
    }

    @Test("a stream goes into a suspend disk and comes back the same; whole runs are found in the file")
    func roundTrip() throws {
        let folder = try VHDWriterTests.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("image.vhd").path
        try VHDWriter.createDynamic(path: path, size: 16 << 20, uuid: "5eed0000-0000-4000-8000-000000000001", timestamp: 1).close()

        let disk = try VHDDisk(path: path, readOnly: false)
        try SuspendImage.erase(disk)
        let (writer, reader) = try Self.socketPair()
        let bytes = Self.stream
        let sender = Thread {
            bytes.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let count = write(writer, raw.baseAddress! + done, raw.count - done)
                    guard count > 0 else { break }
                    done += count
                }
            }
            close(writer)
        }
        sender.start()
        let length = try SuspendImage.receive(from: reader, into: disk)
        close(reader)
        #expect(length == Int64(bytes.count))
        #expect(try disk.leafRun(at: SuspendImage.streamOffset, count: 4096) == nil, "a disk taking writes gives no runs")
        let header = SuspendImage(format: "test", producer: "QEMU 7.2.0", machine: "pc", length: length)
        try header.write(to: disk)
        try disk.close()

        let saved = try VHDDisk(path: path, readOnly: true)
        #expect(SuspendImage.read(from: saved) == header)
        let block = Int64(2 << 20)
        #expect(try saved.leafRun(at: block, count: Int(block)) != nil, "a whole block is one run of the file")
        #expect(try saved.leafRun(at: block - 512, count: 1024) == nil, "a range across two blocks is not")
        #expect(try saved.leafRun(at: 14 << 20, count: 512) == nil, "nor is a block never written")
        let (ours, theirs) = try Self.socketPair()
        let received = ReceivedBytes()
        let receiver = Thread {
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(theirs, $0.baseAddress!, $0.count) }
                guard count > 0 else { break }
                received.append(buffer[0..<count])
            }
            close(theirs)
            received.finish()
        }
        receiver.start()
        try header.send(from: saved, to: ours)
        shutdown(ours, Int32(SHUT_WR))
        let back = received.wait()
        close(ours)
        #expect(back == bytes)

        // A reader that goes away part-way fails the send; the process lives on (no SIGPIPE).
        let (outgoing, quitter) = try Self.socketPair()
        let gone = ReceivedBytes()
        let quitting = Thread {
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            _ = buffer.withUnsafeMutableBytes { read(quitter, $0.baseAddress!, $0.count) }
            close(quitter)
            gone.finish()
        }
        quitting.start()
        #expect(throws: VHDError.self) { try header.send(from: saved, to: outgoing) }
        _ = gone.wait()
        close(outgoing)
    }
}

/// What a reading thread has received, handed over once it is done.
final class ReceivedBytes: @unchecked Sendable {
    private let condition = NSCondition()
    private var bytes: [UInt8] = []
    private var done = false

    func append(_ more: ArraySlice<UInt8>) {
        condition.lock()
        bytes += more
        condition.unlock()
    }

    func finish() {
        condition.lock()
        done = true
        condition.signal()
        condition.unlock()
    }

    func wait() -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        while !done { condition.wait() }
        return bytes
    }
}
