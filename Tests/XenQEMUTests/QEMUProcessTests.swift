import Foundation
import Testing
import XenQEMU

#if canImport(Glibc)
    import Glibc
#endif

/// What a spawned process starts with, seen from `/proc` (run with `sleep`, so no QEMU is needed).
@Suite("Spawning a process for a guest")
struct QEMUProcessTests {
    private func status(of process: QEMUProcess, field: String) throws -> String? {
        let text = try String(contentsOfFile: "/proc/\(process.pid)/status", encoding: .utf8)
        return text.split(separator: "\n").first { $0.hasPrefix(field + ":") }.map {
            $0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces)
        }
    }

    private func descriptors(of process: QEMUProcess) throws -> [Int] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.pid)/fd").compactMap { Int($0) }.sorted()
    }

    private func end(_ process: QEMUProcess) {
        process.send(SIGKILL)
        var status: Int32 = 0
        waitpid(process.pid, &status, 0)
    }

    @Test("the descriptor table is already large, so QEMU never grows it while its threads share it; only 0–3 are open")
    func descriptorTable() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("qemu-process-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let process = try QEMUProcess.spawn(program: "sleep", arguments: ["30"], log: folder + "/log", monitor: folder + "/qmp.sock")
        defer { end(process) }
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let expected = min(512, Int(limit.rlim_cur))
        // posix_spawn returns once the child has exec'd (glibc's child shares memory with the
        // parent until then), so this is the table `sleep` runs with.
        #expect(try status(of: process, field: "Name") == "sleep")
        let size = try status(of: process, field: "FDSize").flatMap { Int($0) }
        #expect(size.map { $0 >= expected } == true, "FDSize \(String(describing: size)), expected at least \(expected)")
        #expect(try descriptors(of: process) == [0, 1, 2, 3])
    }
}
