import Testing
import XenBackend
@testable import XenQEMU

/// How QEMU's states and the agent's answers become the toolstack's domains and guest metrics.
@Suite("QEMU backend mappings")
struct QEMUHypervisorMappingTests {
    @Test("run states: prelaunch is created until built, then paused; shutdown and errors end the domain")
    func states() {
        #expect(QEMUHypervisor.state(ofStatus: "prelaunch", built: false) == .created)
        #expect(QEMUHypervisor.state(ofStatus: "prelaunch", built: true) == .paused)
        #expect(QEMUHypervisor.state(ofStatus: "running", built: true) == .running)
        #expect(QEMUHypervisor.state(ofStatus: "paused", built: true) == .paused)
        #expect(QEMUHypervisor.state(ofStatus: "shutdown", built: true) == .shutdown)
        #expect(QEMUHypervisor.state(ofStatus: "internal-error", built: true) == .shutdown)
    }

    @Test("the agent's addresses are keyed by the VIF whose MAC they came on, IPv4 first")
    func guestMetrics() throws {
        let interfaces: [JSONValue] = [
            ["name": "lo", "hardware-address": "00:00:00:00:00:00", "ip-addresses": [["ip-address-type": "ipv4", "ip-address": "127.0.0.1"]]],
            [
                "name": "eth0", "hardware-address": "52:54:00:aa:bb:01",
                "ip-addresses": [
                    ["ip-address-type": "ipv6", "ip-address": "fe80::1"], ["ip-address-type": "ipv4", "ip-address": "10.0.2.15"],
                ],
            ],
        ]
        let report = GuestAgentReport(
            info: ["version": "7.2.22"], osInfo: ["kernel-release": "6.1.0-57-amd64", "pretty-name": "Debian GNU/Linux 12 (bookworm)", "id": "debian", "version-id": "12"],
            interfaces: interfaces)
        #expect(report.driversVersion == ["major": "7", "minor": "2", "micro": "22"])
        #expect(report.osVersion == ["name": "Debian GNU/Linux 12 (bookworm)", "uname": "6.1.0-57-amd64", "distro": "debian", "major": "12"])
        let guest = QEMUHypervisor.guestReport(report, macs: [0: "52:54:00:AA:BB:01", 1: "52:54:00:aa:bb:02"])
        #expect(guest.networks == ["0/ip": "10.0.2.15", "0/ipv4/0": "10.0.2.15", "0/ipv6/0": "fe80::1"])
        #expect(guest.pvDriversVersion["major"] == "7")
    }

    @Test("a domain spec becomes the machine: memory in MiB rounded up, the PV kernel booted directly, CD slots kept")
    func machine() {
        let settings = QEMUHostSettings(runRoot: "/run/q", accelerator: .tcg)
        let spec = DomainSpec(
            vm: "u", name: "n", memory: 256 << 20 + 1, vcpus: 2, hvm: false, guestAgent: true, nics: [0], media: [3: nil, 7: nil],
            boot: .direct(kernel: "/k", ramdisk: nil, arguments: "quiet"))
        let machine = QEMUHypervisor.machine(for: spec, settings: settings)
        #expect(machine.memoryMiB == 257 && machine.vcpus == 2)
        #expect(machine.boot == .direct(kernel: "/k", ramdisk: nil, arguments: "quiet"))
        #expect(machine.cdSlots == [3])
        let installer = DomainSpec(vm: "v", name: "n", memory: 1 << 30, vcpus: 1, hvm: true, guestAgent: false)
        #expect(QEMUHypervisor.machine(for: installer, settings: settings).boot == .firmware(order: "cd"))
    }
}
