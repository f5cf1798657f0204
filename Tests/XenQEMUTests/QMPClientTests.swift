import Foundation
import Testing
import XenQEMU

#if canImport(Glibc)
    import Glibc
#endif

/// QMP against a real QEMU with nothing to boot: run states, events before their replies,
/// errors, the pidfile guard, and the end of the process.
@Suite("QMP against a real QEMU", .enabled(if: RunningQEMU.installed || RunningQEMU.required))
struct QMPClientTests {
    private func bareMachine(_ uuid: String) -> QEMUMachine {
        QEMUMachine(uuid: uuid, name: "bare", memoryMiB: 64, vcpus: 1, maxVCPUs: 1, accelerator: .tcg, boot: .firmware(order: "n"))
    }

    @Test("prelaunch → running → paused, each with its event; an unknown command's error class; quit ends the process")
    func runStates() async throws {
        let qemu = try await RunningQEMU(bareMachine("5eed0001-0000-0000-0000-000000000001"))
        defer { qemu.stop() }
        #expect(qemu.qmp.qemuVersion?.split(separator: ".").count == 3)
        #expect(try await qemu.qmp.status() == "prelaunch")

        try await qemu.qmp.execute("cont")
        _ = try await qemu.event(within: .seconds(10)) { $0.name == "RESUME" }
        #expect(try await qemu.qmp.status() == "running")
        try await qemu.qmp.execute("stop")
        _ = try await qemu.event(within: .seconds(10)) { $0.name == "STOP" }
        #expect(try await qemu.qmp.status() == "paused")

        await #expect(throws: QMPError.commandFailed(command: "no-such-command", errorClass: "CommandNotFound", description: "The command no-such-command has not been found")) {
            try await qemu.qmp.execute("no-such-command")
        }
        #expect(try await qemu.qmp.status() == "paused")

        try await qemu.qmp.execute("quit")
        #expect(try await qemu.exited(within: .seconds(10)))
        await #expect(throws: QMPError.self) { try await qemu.qmp.status() }
    }

    @Test("a second QEMU for the same VM is refused by the pidfile lock; the first runs on")
    func pidfileGuard() async throws {
        let machine = bareMachine("5eed0002-0000-0000-0000-000000000002")
        let qemu = try await RunningQEMU(machine)
        defer { qemu.stop() }
        let second = try QEMUProcess.spawn(
            program: "qemu-system-x86_64", arguments: QEMUCommandLine.arguments(for: machine, files: qemu.files),
            log: qemu.files.folder + "/second.log", monitor: qemu.files.folder + "/second-qmp.sock")
        var gone = false
        for _ in 0..<200 where !gone {
            gone = !second.isRunning
            if !gone { try await RunningQEMU.sleep(.milliseconds(50)) }
        }
        #expect(gone)
        #expect((try? String(contentsOfFile: qemu.files.folder + "/second.log", encoding: .utf8))?.contains("Cannot lock pid file") == true)
        #expect(qemu.process.isRunning)
        #expect(try await qemu.qmp.status() == "prelaunch")
        #expect(qemu.process.commandLine?.contains("-no-shutdown") == true)
    }

    @Test("the connection ends when the process is killed: waiting commands fail, events finish")
    func killed() async throws {
        let qemu = try await RunningQEMU(bareMachine("5eed0003-0000-0000-0000-000000000003"))
        defer { qemu.stop() }
        qemu.process.send(SIGKILL)
        #expect(try await qemu.exited(within: .seconds(10)))
        await #expect(throws: QMPError.self) { try await qemu.qmp.execute("query-status", timeout: .seconds(5)) }
        var remaining = 0
        for await _ in qemu.qmp.events { remaining += 1 }
        #expect(remaining == 0)
    }
}
