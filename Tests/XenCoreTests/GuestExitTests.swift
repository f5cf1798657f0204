import Testing
import XenAPI
import XenBackend
import XenRPC
import XenSimulation
@testable import XenCore

/// A guest that reboots, crashes or powers off on its own gets what its VM's
/// `actions_after_reboot`, `actions_after_crash` and `actions_after_shutdown` say, as xenopsd
/// restarts a domain whose guest rebooted.
@Suite("guests that stop on their own")
struct GuestExitTests {
    @Test("a reboot and a crash restart the VM in a new domain; a power-off halts it; destroy halts a crashed one")
    func actions() async throws {
        let harness = try await ToolstackHarness(hosts: 1)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let hypervisor = harness.machines.hypervisors[0]
            let vm = try await makeVM(harness, session)
            _ = try await harness.value("VM.start", session, vm, false, false)
            let uuid = try #require(try await harness.value("VM.get_uuid", session, vm).stringValue)
            let services = harness.toolstack.services

            for exit in [GuestExit.reboot, .crash] {
                let domid = try await harness.value("VM.get_domid", session, vm)
                try hypervisor.guestExits(uuid, exit)
                await DomainWatch.settle(services, uuid: uuid)
                #expect(try await harness.value("VM.get_power_state", session, vm) == "Running", "after a \(exit)")
                #expect(try await harness.value("VM.get_domid", session, vm) != domid, "a new domain after a \(exit)")
                #expect(await hypervisor.stat(uuid)?.state == .running)
            }

            try hypervisor.guestExits(uuid, .poweroff)
            await DomainWatch.settle(services, uuid: uuid)
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Halted")
            #expect(await hypervisor.stat(uuid) == nil)

            _ = try await harness.value("VM.set_actions_after_crash", session, vm, "destroy")
            _ = try await harness.value("VM.start", session, vm, false, false)
            try hypervisor.guestExits(uuid, .crash)
            await DomainWatch.settle(services, uuid: uuid)
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Halted")
            let violations = await Invariants.violations(services)
            #expect(violations == [], "\(violations)")
        }
    }
}
