import Foundation
import Testing
import XenBackend
import XenCore
import XenHTTP
import XenQEMU
import XenStorage

/// `QEMUHypervisor` driven through the `Hypervisor` steps the toolstack's plans take, on the
/// test guest: a guest suspended and resumed, and one migrated to a new process on the same
/// machine, still holds what it had in memory (a file in its RAM-backed root) and has not
/// rebooted.
@Suite("the QEMU hypervisor's steps on a real guest", .enabled(if: RunningQEMU.testGuest != nil || RunningQEMU.required), .serialized)
struct QEMUHypervisorTests {
    /// Runs `body` against a hypervisor with a run folder of its own, its background work
    /// running beside it; afterwards the domains named `cleanup` are destroyed and the folder removed.
    private func withHypervisor(
        _ name: String, cleanup: [String], _ body: @escaping @Sendable (QEMUHypervisor) async throws -> Void
    ) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("qemu-hypervisor-\(name)").path
        try? FileManager.default.removeItem(atPath: root)
        let work = BackgroundWork()
        let environment = SystemEnvironment.make(background: work)
        let hypervisor = QEMUHypervisor(
            settings: QEMUHostSettings(runRoot: root + "/run", accelerator: .tcg, reservedMemory: 0),
            work: QEMUHypervisor.Work(
                submit: { job in work.submit(job) }, isFinishing: { work.isFinishing }, sleep: environment.sleep,
                now: environment.now))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await work.run() }
            await hypervisor.start()
            var failure: (any Error)?
            do { try await body(hypervisor) } catch { failure = error }
            for domain in cleanup { try? await hypervisor.destroy(domain) }
            work.finish()
            try await group.waitForAll()
            try? FileManager.default.removeItem(atPath: root)
            if let failure { throw failure }
        }
    }

    private func spec(_ vm: String) throws -> DomainSpec {
        guard let folder = RunningQEMU.testGuest else { throw QEMUTestError("no test guest: run scripts/build-test-guest (CI must)") }
        return DomainSpec(
            vm: vm, name: "hypervisor-test", memory: 256 << 20, vcpus: 1, hvm: false, guestAgent: true, nics: [0],
            boot: .direct(kernel: folder + "/vmlinux", ramdisk: folder + "/initrd.gz", arguments: "console=ttyS0 quiet"),
            macs: [0: "52:54:00:5e:ed:30"])
    }

    /// Waits until the guest's agent answers through the hypervisor.
    private static func agentReady(_ hypervisor: QEMUHypervisor, _ vm: String) async throws {
        for _ in 0..<120 {
            if (try? await hypervisor.runInGuest(vm, "/bin/true", []))?.exitCode == 0 { return }
            try await RunningQEMU.sleep(.seconds(1))
        }
        let console = await hypervisor.consoleLog(vm)
        throw QEMUTestError("the guest agent never answered; the console ends: \(console.suffix(1500))")
    }

    /// The guest's boot id and the marker it keeps in memory.
    private static func memoryOf(_ hypervisor: QEMUHypervisor, _ vm: String) async throws -> String {
        try await hypervisor.runInGuest(vm, "/bin/sh", ["-c", "cat /proc/sys/kernel/random/boot_id /tmp/marker"]).output
    }

    @Test("suspend to the saved image and resume into a new process: the guest carries on where it was")
    func suspendAndResume() async throws {
        let vm = "5eed0030-0000-0000-0000-000000000030"
        let spec = try spec(vm)
        try await withHypervisor("suspend", cleanup: [vm]) { hypervisor in
        _ = try await hypervisor.create(spec)
        try await hypervisor.build(vm)
        try await hypervisor.unpause(vm)
        try await Self.agentReady(hypervisor, vm)
        _ = try await hypervisor.runInGuest(vm, "/bin/sh", ["-c", "echo suspended-and-back > /tmp/marker"])
        let before = try await Self.memoryOf(hypervisor, vm)

        // The suspend VDI: a VHD with room for the guest's memory, as the toolstack makes it.
        let folder = VHDFolder(path: FileManager.default.temporaryDirectory.appendingPathComponent("qemu-suspend-vdi").path)
        try? FileManager.default.removeItem(atPath: folder.path)
        try folder.prepare()
        defer { try? FileManager.default.removeItem(atPath: folder.path) }
        let size = try #require(VHDFolder.roundedSize(SuspendImage.diskSize(forMemory: spec.memory)))
        _ = try folder.create(uuid: "suspend", size: size, timestamp: 0)
        let image = DiskImage(path: folder.file("suspend"), format: .vhd, readOnly: false, vdi: "suspend")

        try await hypervisor.save(vm, to: image)
        #expect(await hypervisor.stat(vm)?.state == .shutdown)
        try await hypervisor.destroy(vm)
        #expect(await hypervisor.hasSavedImage(vm))
        #expect(await hypervisor.stat(vm) == nil)
        let header = try #require(SuspendImage.read(from: try VHDDisk(path: image.path, readOnly: true)))
        #expect(header.format == "qemu-migration" && header.machine == QEMUMachine.defaultMachineType)
        #expect(header.producer.hasPrefix("QEMU ") && header.length > 1 << 20)

        // An image whose header is gone (a suspend that died part-way) is refused.
        let copy = folder.file("suspend") + ".copy"
        try FileManager.default.copyItem(atPath: image.path, toPath: copy)
        let unfinished = try VHDDisk(path: copy, readOnly: false)
        try SuspendImage.erase(unfinished)
        try unfinished.close()
        _ = try await hypervisor.create(spec)
        await #expect(throws: HypervisorError.noSavedImage(vm: vm)) {
            try await hypervisor.restore(vm, from: DiskImage(path: copy, format: .vhd, readOnly: true, vdi: "copy"))
        }
        try await hypervisor.destroy(vm)

        _ = try await hypervisor.create(spec)
        try await hypervisor.restore(vm, from: image)
        #expect(await hypervisor.stat(vm)?.state == .paused)
        #expect(await !hypervisor.hasSavedImage(vm))
        try await hypervisor.unpause(vm)
        try await Self.agentReady(hypervisor, vm)
        #expect(try await Self.memoryOf(hypervisor, vm) == before)
        }
    }

    @Test("a migration to the same machine: the domain set aside sends its guest to a new process, which runs it")
    func localMigration() async throws {
        let vm = "5eed0031-0000-0000-0000-000000000031"
        let departing = vm + "-departing"
        let spec = try spec(vm)
        try await withHypervisor("migration", cleanup: [vm, departing]) { hypervisor in
        let first = try await hypervisor.create(spec)
        try await hypervisor.build(vm)
        try await hypervisor.unpause(vm)
        try await Self.agentReady(hypervisor, vm)
        _ = try await hypervisor.runInGuest(vm, "/bin/sh", ["-c", "echo migrated > /tmp/marker"])
        let before = try await Self.memoryOf(hypervisor, vm)

        try await hypervisor.rename(vm, to: departing)
        let second = try await hypervisor.create(spec)
        #expect(second != first)
        let endpoint = try await hypervisor.receiveMigration(vm)
        try await hypervisor.sendMigration(departing, to: endpoint)
        #expect(await hypervisor.stat(departing)?.state == .shutdown)
        try await hypervisor.unpause(vm)
        try await hypervisor.destroy(departing)
        #expect(await hypervisor.stat(vm)?.state == .running)
        try await Self.agentReady(hypervisor, vm)
        #expect(try await Self.memoryOf(hypervisor, vm) == before)
        }
    }

    @Test("a guest that reboots or powers off on its own leaves its domain shut down, saying which")
    func guestExits() async throws {
        let vm = "5eed0032-0000-0000-0000-000000000032"
        let spec = try spec(vm)
        try await withHypervisor("exits", cleanup: [vm]) { hypervisor in
            for (command, exit) in [("reboot", GuestExit.reboot), ("poweroff", .poweroff)] {
                _ = try await hypervisor.create(spec)
                try await hypervisor.build(vm)
                try await hypervisor.unpause(vm)
                try await Self.agentReady(hypervisor, vm)
                _ = try? await hypervisor.runInGuest(vm, "/bin/sh", ["-c", "(sleep 1; \(command) -f) &"])
                #expect(try await hypervisor.waitShutdown(vm, timeout: .seconds(60)))
                #expect(await hypervisor.stat(vm)?.exit == exit)
                try await hypervisor.destroy(vm)
            }
        }
    }
}
