import Crypto
import Foundation
import Testing
import XenNBD
import XenStorage

/// The blktap-written VHD chains served by our NBD server and read and written by QEMU's own NBD
/// client (`qemu-img`, `qemu-io` from Debian's `qemu-utils`): what they read is what the
/// fixtures' README says a correct reader returns, and what they write lands in the leaf only,
/// in blktap's layout, readable again once the disk is closed and reopened.
@Suite("an NBD server over VHD chains, with QEMU as its client", .serialized)
struct NBDServerTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("XenStorageTests/Fixtures/vhd").path

    /// A scratch copy of the fixture chain (children find parents by relative locators).
    private func scratch(_ name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nbd-\(name)").path
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in ["base.vhd", "child.vhd", "grandchild.vhd", "fixed.vhd"] {
            try FileManager.default.copyItem(atPath: Self.fixtures + "/" + file, toPath: folder + "/" + file)
        }
        return folder
    }

    /// Runs a QEMU tool; its exit status and output.
    private static func run(_ tool: String, _ arguments: [String]) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    private static func sha256(_ path: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return SHA256.hash(data: data).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Serves `disk` on a socket in `folder` while `body` runs.
    private func serving(
        _ disk: VHDDisk, in folder: String, _ body: @Sendable (String) async throws -> Void
    ) async throws {
        let socket = folder + "/disk.sock"
        let server = try await NBDServer.bind(path: socket, exportName: "vdi", export: disk)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await server.serve() }
            do {
                try await body("nbd+unix:///vdi?socket=" + socket)
            } catch {
                server.close()
                throw error
            }
            server.close()
            try await group.waitForAll()
        }
    }

    @Test(
        "qemu-img reads each chain through the server as the README's flattened content",
        arguments: [
            ("base.vhd", "85c8436213fd068c7065d193772a230ef95817be1bd06981cf89901851aa92af"),
            ("child.vhd", "633ca3b8ddd00088dacc2e0362824e6216a6af56136c56ffdc86ab13ac15cd05"),
            ("grandchild.vhd", "d735e7e8084b07fdfa3225b1c4d7c7da4fd9417b8a4698f19baa1b72513d06f7"),
            ("fixed.vhd", "0c1a1bcc1d532dc051eae401a07e89b84c564b92df1a5144cb0812005528c439"),
        ])
    func reads(_ name: String, _ expected: String) async throws {
        let folder = try scratch("read-\(name)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let disk = try VHDDisk(path: folder + "/" + name, readOnly: true)
        try await serving(disk, in: folder) { url in
            let (status, output) = try await Self.run("qemu-img", ["convert", "-f", "raw", "-O", "raw", url, folder + "/flat.raw"])
            #expect(status == 0, "qemu-img: \(output)")
        }
        #expect(try Self.sha256(folder + "/flat.raw") == expected)
        // Writes to a read-only export are refused.
        try await serving(disk, in: folder) { url in
            let (_, output) = try await Self.run("qemu-io", ["-f", "raw", "-c", "write -P 0x11 0 512", url])
            #expect(output.contains("Permission denied"), "qemu-io: \(output)")
        }
    }

    @Test("qemu-io writes through the server into the leaf: unaligned, zeroes, write-through; the parents stay as they were")
    func writes() async throws {
        let folder = try scratch("write")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let baseBefore = try Self.sha256(folder + "/base.vhd")
        let disk = try VHDDisk(path: folder + "/child.vhd", readOnly: false)
        try await serving(disk, in: folder) { url in
            let commands = [
                "write -P 0x5a 1000 3000",  // partial sectors at both ends, over B1 and A1
                "write -z 2097152 1048576",  // zeroes over a block full in the parent (A3)
                "write -f -P 0x77 33553920 512",  // the last sector, written through
                "flush",
                "read -P 0x5a 1000 3000",
                "read -P 0 2097152 1048576",
                "read -P 0x77 33553920 512",
            ]
            let (status, output) = try await Self.run("qemu-io", ["-f", "raw"] + commands.flatMap { ["-c", $0] } + [url])
            #expect(status == 0 && !output.contains("Pattern verification failed"), "qemu-io: \(output)")
        }
        try disk.close()
        #expect(try Self.sha256(folder + "/base.vhd") == baseBefore, "the parent is never written")
        // Reopened from the files alone, the chain reads what was written, and the leaf is sound.
        let chain = try VHDChain(path: folder + "/child.vhd")
        var bytes = [UInt8](repeating: 0, count: 4096)
        try bytes.withUnsafeMutableBytes { try chain.read(at: 512, into: $0) }
        #expect(Array(bytes[488..<(488 + 3000)]) == [UInt8](repeating: 0x5A, count: 3000))
        #expect(bytes[0..<8] == [0, 0, 0, 0, 0, 0, 0, 1], "the untouched start of sector 1 keeps A1's stamp")
        try bytes.withUnsafeMutableBytes { try chain.read(at: 2_097_152, into: $0) }
        #expect(bytes.allSatisfy { $0 == 0 })
        // The rest of A3, past the zeroes, still comes from the parent: sector 7168, stamped.
        try bytes.withUnsafeMutableBytes { try chain.read(at: 0x380000, into: $0) }
        #expect(bytes[0..<8] == [0, 0, 0, 0, 0, 0, 0x1C, 0] && bytes[8..<512].allSatisfy { $0 == 0xA3 })
        #expect(VHDCheck.problems(of: try VHDImage(path: folder + "/child.vhd")) == [])
    }
}
