import Foundation
import XenCore
import XenHTTP
import XenQEMU

#if canImport(Glibc)
    import Glibc
#endif

/// A real QEMU process started the way the backend starts one, with its QMP connection; killed
/// when the test ends. (Real time is unavoidable here: QEMU is another process.)
final class RunningQEMU: Sendable {
    static let sleep = SystemEnvironment.make(background: BackgroundWork()).sleep
    let process: QEMUProcess
    let files: QEMURunFiles
    let qmp: QMPClient

    init(_ machine: QEMUMachine) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("qemu-test-\(machine.uuid)").path
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        files = QEMURunFiles(folder: folder)
        process = try QEMUProcess.spawn(
            program: "qemu-system-x86_64", arguments: QEMUCommandLine.arguments(for: machine, files: files), log: files.log,
            monitor: files.qmp)
        var connected: QMPClient?
        for _ in 0..<200 where connected == nil {
            connected = try? await QMPClient.connect(path: files.qmp, sleep: Self.sleep)
            if connected == nil { try await Self.sleep(.milliseconds(50)) }
        }
        guard let connected else {
            process.send(SIGKILL)
            throw QEMUTestError("QMP did not answer: \((try? String(contentsOfFile: files.log, encoding: .utf8)) ?? "")")
        }
        qmp = connected
    }

    /// Waits up to `timeout` for the first event that `matches`.
    func event(within timeout: Duration, _ matches: @escaping @Sendable (QMPEvent) -> Bool) async throws -> QMPEvent {
        let events = qmp.events
        return try await withThrowingTaskGroup(of: QMPEvent?.self) { group in
            group.addTask {
                for await event in events where matches(event) { return event }
                return nil
            }
            group.addTask {
                try await Self.sleep(timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let event = try await group.next() ?? nil else { throw QEMUTestError("no matching event within \(timeout)") }
            return event
        }
    }

    /// Waits until the process has exited.
    func exited(within timeout: Duration) async throws -> Bool {
        for _ in 0..<Int(timeout.components.seconds * 20) {
            if !process.isRunning { return true }
            try await Self.sleep(.milliseconds(50))
        }
        return !process.isRunning
    }

    /// Kills the process and removes its files.
    func stop() {
        qmp.close()
        process.send(SIGKILL)
        _ = process.isRunning
        try? FileManager.default.removeItem(atPath: files.folder)
    }

    /// Whether QEMU is installed.
    static var installed: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/qemu-system-x86_64")
        }
    }

    /// The test guest `scripts/build-test-guest` made: `XAPI_TEST_GUEST`, or the newest build
    /// in the package's `.build-guest` folder.
    static var testGuest: String? {
        if let named = ProcessInfo.processInfo.environment["XAPI_TEST_GUEST"], !named.isEmpty { return named }
        let cache = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build-guest").path
        let builds = (try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []
        return builds.map { cache + "/" + $0 }.first { FileManager.default.fileExists(atPath: $0 + "/guest.iso") }
    }

    /// Whether tests that need QEMU must run (in CI they may not be skipped).
    static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }
}

struct QEMUTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
