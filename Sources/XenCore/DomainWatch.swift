import XenAPI
import XenBackend
import XenDB

/// Follows what happens to domains between operations (xapi's event thread on xenopsd's
/// updates): a guest agent that comes up or reports new addresses, a guest that powers itself
/// off, a hypervisor process that dies. Each changed domain's VM is reconciled unless an
/// operation holds it, which records the outcome itself. For backends whose guests act on their
/// own (QEMU's); the simulator's guests never do.
public enum DomainWatch {
    /// Polls every hypervisor's updates every `interval` until the background work finishes.
    public static func run(_ services: CoreServices, interval: Duration = .seconds(1)) async {
        var generations: [String: Int64] = [:]
        while !services.environment.background.isFinishing {
            for machine in services.machines {
                let (generation, changed) = await machine.hypervisor.updates(since: generations[machine.inventory.uuid] ?? 0)
                generations[machine.inventory.uuid] = generation
                for uuid in changed { await settle(services, uuid: uuid) }
            }
            do { try await services.environment.sleep(interval) } catch { return }
        }
    }

    /// Records what the hypervisors now have for the VM with `uuid`.
    static func settle(_ services: CoreServices, uuid: String) async {
        let snapshot = services.database.snapshot
        guard let vm = snapshot.ref(VM.self, uuid: uuid), snapshot[vm]?.currentOperations.isEmpty == true else { return }
        let observation = await Reconciliation.observe(services, uuid: uuid)
        let now = services.now()
        let (metricsRef, metricsUUID) = (services.makeRef(VMGuestMetrics.self), services.environment.makeUUID())
        try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            guard let record = tx.snapshot[vm], record.currentOperations.isEmpty else { return }
            try Reconciliation.record(observation, vm: vm, clearingLocks: false, in: &tx)
            if let stat = observation.stat, stat.state == .running || stat.state == .paused {
                try GuestMetricsRecording.record(stat.guest, of: vm, metricsRef: metricsRef, uuid: metricsUUID, at: now, in: &tx)
            }
        }
    }
}
