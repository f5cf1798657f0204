import XenAPI
import XenBackend
import XenDB

/// Brings the database in line with what the hypervisor actually has (level-triggered, as
/// xenopsd's events are): at start-up, and for a VM whose operation failed part-way. A VM whose
/// domain is gone is halted (xapi: "VM not found on host, marking halted"), or suspended if its
/// saved image waits; one whose domain runs is recorded with its real state and domain id; a
/// domain whose guest has shut down, or one left half-made, is destroyed first.
enum Reconciliation {
    /// What the hypervisor has for one VM.
    struct Observation: Sendable {
        var stat: DomainStat?
        var savedImage: Bool
    }

    /// How many times a shut-down domain's destruction is tried before the next reconciliation.
    private static let destroyAttempts = 3

    /// Looks at the VM's domain, destroying it first if its guest has shut down or it was left
    /// half-made (created, never built).
    static func observe(_ services: CoreServices, uuid: String) async -> Observation {
        let hypervisor = services.hypervisor
        var stat = await hypervisor.stat(uuid)
        var attempts = 0
        while stat?.state == .shutdown || stat?.state == .created, attempts < destroyAttempts {
            attempts += 1
            try? await hypervisor.destroy(uuid)
            stat = await hypervisor.stat(uuid)
        }
        return Observation(stat: stat, savedImage: await hypervisor.hasSavedImage(uuid))
    }

    /// Records what was observed on the VM, running on `host`; at start-up (`clearingLocks`)
    /// operation locks left by a crash are dropped too.
    static func record(
        _ observation: Observation, vm: Ref<VM>, host: Ref<Host>, clearingLocks: Bool, in tx: inout Transaction
    ) throws(XenAPIError) {
        let stat = observation.stat
        try tx.update(vm) { record in
            switch stat?.state {
            case .running?, .paused?:
                record.powerState = stat?.state == .running ? .running : .paused
                record.domid = stat?.domid ?? -1
                record.residentOn = host
            case nil:
                record.powerState = observation.savedImage ? .suspended : .halted
                record.domid = -1
                record.residentOn = .null
            case .shutdown?, .created?:
                break  // Its destruction keeps failing: the next reconciliation tries again.
            }
            if clearingLocks { record.currentOperations = [:] }
        }
        if stat == nil { try GuestMetricsRecording.remove(of: vm, in: &tx) }
        try VMMessages.refreshAllowedOperations(&tx, vm)
    }

    /// At start-up: every VM recorded on this host.
    static func run(_ services: CoreServices) async throws(XenAPIError) {
        let snapshot = services.database.snapshot
        let host = services.localHost(snapshot)
        var observed: [(Ref<VM>, Observation)] = []
        for vm in snapshot.objects(VM.self) where vm.residentOn == host && !vm.isControlDomain {
            observed.append((vm.ref, await observe(services, uuid: vm.uuid)))
        }
        guard !observed.isEmpty else { return }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for (vm, observation) in observed where tx.snapshot.contains(vm) {
                try record(observation, vm: vm, host: host, clearingLocks: true, in: &tx)
            }
        }
    }
}
