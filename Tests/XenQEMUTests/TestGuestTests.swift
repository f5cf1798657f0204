import Foundation
import Testing
import XenQEMU

/// The test guest `scripts/build-test-guest` makes, booted under TCG as the backend boots VMs:
/// its agent answers, reports the address DHCP gave the NIC with the VIF's MAC, and powers the
/// guest off on request; the ISO form boots through the firmware.
@Suite("the test guest under QEMU", .enabled(if: RunningQEMU.testGuest != nil || RunningQEMU.required), .serialized)
struct TestGuestTests {
    private func guest() throws -> String {
        guard let folder = RunningQEMU.testGuest else {
            throw QEMUTestError("no test guest: run scripts/build-test-guest (CI must)")
        }
        return folder
    }

    /// Adds a user-mode NIC with `mac` over QMP (as a VIF is plugged), then lets the guest run.
    private func plugNICAndRun(_ qemu: RunningQEMU, mac: String) async throws {
        try await qemu.qmp.execute("netdev_add", ["type": "user", "id": "vif0-net"])
        try await qemu.qmp.execute("device_add", ["driver": "virtio-net-pci", "netdev": "vif0-net", "id": "vif0", "mac": .string(mac)])
        try await qemu.qmp.execute("cont")
    }

    /// Connects to the agent once the guest has started it.
    private func agent(_ qemu: RunningQEMU) async throws -> GuestAgentClient {
        for attempt in 0..<120 {
            if let agent = try? await GuestAgentClient.connect(path: qemu.files.agent, sleep: RunningQEMU.sleep, token: Int64(attempt + 1000)) {
                return agent
            }
            try await RunningQEMU.sleep(.seconds(1))
        }
        throw QEMUTestError("the guest agent never answered")
    }

    @Test("direct boot: the agent reports its version, the kernel and the NIC's address; guest-shutdown powers off")
    func directBoot() async throws {
        let folder = try guest()
        let machine = QEMUMachine(
            uuid: "5eed0010-0000-0000-0000-000000000010", name: "guest", memoryMiB: 256, vcpus: 1, maxVCPUs: 1, accelerator: .tcg,
            boot: .direct(kernel: folder + "/vmlinux", ramdisk: folder + "/initrd.gz", arguments: "console=ttyS0 quiet"))
        let qemu = try await RunningQEMU(machine)
        defer { qemu.stop() }
        let mac = "52:54:00:5e:ed:10"
        try await plugNICAndRun(qemu, mac: mac)
        let agent = try await agent(qemu)
        defer { agent.close() }

        var report = try await agent.report()
        for _ in 0..<30 where report.addresses[mac]?.first != "10.0.2.15" {
            try await RunningQEMU.sleep(.seconds(1))
            report = try await agent.report()
        }
        #expect(report.driversVersion["major"] == "7")
        #expect(report.osVersion["uname"]?.hasSuffix("-amd64") == true)
        #expect(report.addresses[mac]?.first == "10.0.2.15")

        try agent.requestShutdown(mode: "powerdown")
        let shutdown = try await qemu.event(within: .seconds(60)) { $0.name == "SHUTDOWN" }
        #expect(shutdown.data["guest"]?.boolValue == true)
        // -no-shutdown: the process stays, in state "shutdown", until the toolstack destroys it.
        #expect(try await qemu.qmp.status() == "shutdown")
        #expect(qemu.process.isRunning)
    }

    @Test("the ISO boots through the firmware from the CD drive; the ACPI power button powers it off")
    func isoBoot() async throws {
        let folder = try guest()
        let machine = QEMUMachine(
            uuid: "5eed0011-0000-0000-0000-000000000011", name: "installer", memoryMiB: 256, vcpus: 1, maxVCPUs: 1,
            accelerator: .tcg, boot: .firmware(order: "dc"), cdSlots: [3])
        let qemu = try await RunningQEMU(machine)
        defer { qemu.stop() }
        try await qemu.qmp.execute(
            "blockdev-change-medium",
            ["id": .string(QEMUCommandLine.cdDevice(3)), "filename": .string(folder + "/guest.iso"), "format": "raw", "read-only-mode": "read-only"])
        try await plugNICAndRun(qemu, mac: "52:54:00:5e:ed:11")
        let agent = try await agent(qemu)
        agent.close()

        try await qemu.qmp.execute("system_powerdown")
        let shutdown = try await qemu.event(within: .seconds(60)) { $0.name == "SHUTDOWN" }
        #expect(shutdown.data["reason"]?.stringValue == "guest-shutdown")
    }
}
