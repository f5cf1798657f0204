import Foundation
import Testing
import XenStorage

/// Our VHDs against an independent implementation, qemu's `vpc` driver (Debian's `qemu-utils`,
/// which `.ci/run` installs): qemu reads what we write, and we read what qemu writes.
@Suite("VHDs against qemu-img")
struct QemuCrossCheckTests {
    /// Runs `qemu-img` with `arguments`; its exit status and output.
    static func qemuImg(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["qemu-img"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// The base pattern of the fixtures, as a flat image.
    static func pattern() -> (raw: [UInt8], writes: [(Int64, Int, UInt8)]) {
        let writes: [(Int64, Int, UInt8)] = [(0x0, 0x1000, 0xA1), (0x3200, 0x600, 0xA2), (0x200000, 0x200000, 0xA3), (0x1FF800, 0x1000, 0xA4), (0x1FFFE00, 0x200, 0xC2)]
        var raw = [UInt8](repeating: 0, count: 32 << 20)
        for (offset, length, fill) in writes {
            raw.replaceSubrange(Int(offset)..<(Int(offset) + length), with: VHDWriterTests.stamped(at: offset, length: length, fill: fill))
        }
        return (raw, writes)
    }

    @Test("qemu-img reads our dynamic VHD as the flat image, and we read qemu-img's as the same")
    func bothWays() throws {
        guard (try? Self.qemuImg(["--version"]))?.0 == 0 else {
            Issue.record("qemu-img is missing: apt-get install qemu-utils (.ci/run does)")
            return
        }
        let folder = try VHDWriterTests.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (raw, writes) = Self.pattern()
        let rawPath = folder.appendingPathComponent("expected.raw").path
        try Data(raw).write(to: URL(fileURLWithPath: rawPath))

        let ours = folder.appendingPathComponent("ours.vhd").path
        let writer = try VHDWriter.createDynamic(path: ours, size: 32 << 20, uuid: "5b1c6f0e-2c1a-4c55-9d1e-0a1b2c3d4e5f", timestamp: 0x3298_94a2)
        try VHDWriterTests.write(writer, writes)
        try writer.close()
        let (status, output) = try Self.qemuImg(["compare", "-f", "vpc", "-F", "raw", ours, rawPath])
        #expect(status == 0, "qemu-img compare: \(output)")
        let (_, info) = try Self.qemuImg(["info", "-f", "vpc", ours])
        #expect(info.contains("virtual size: 32 MiB"))

        let theirs = folder.appendingPathComponent("theirs.vhd").path
        let (converted, message) = try Self.qemuImg(["convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic,force_size=on", rawPath, theirs])
        #expect(converted == 0, "qemu-img convert: \(message)")
        let chain = try VHDChain(path: theirs)
        #expect(chain.images[0].footer.creatorApplication == Array("qem2".utf8))
        var read = [UInt8](repeating: 0xEE, count: raw.count)
        try read.withUnsafeMutableBytes { try chain.read(at: 0, into: $0) }
        #expect(read == raw)
    }
}
