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

    /// How the toolstack calls on the VM's behalf when its guest rebooted on its own.
    static let context = CallContext(session: .null, task: nil, method: "VM.hard_reboot", origin: .localSocket)

    /// A guest that powered off, rebooted or crashed on its own gets what the VM's
    /// `actions_after_shutdown`, `actions_after_reboot` or `actions_after_crash` say: a restart
    /// (a new domain, as xenopsd restarts one) where they say so; true if it was restarted.
    /// Otherwise reconciliation destroys the domain and halts the VM.
    static func restartAfterExit(_ services: CoreServices, vm: Ref<VM>, uuid: String) async -> Bool {
        guard let record = services.database.snapshot[vm] else { return false }
        for machine in services.machines {
            guard let stat = await machine.hypervisor.stat(uuid), stat.state == .shutdown, let exit = stat.exit else { continue }
            let restart =
                switch exit {
                case .poweroff: record.actionsAfterShutdown == .restart
                case .reboot: record.actionsAfterReboot == .restart
                case .crash: [.restart, .coredumpAndRestart, .renameRestart].contains(record.actionsAfterCrash)
                }
            guard restart else { return false }
            return (try? await VMMessages(services: services).hardReboot(context, vm: vm)) != nil
        }
        return false
    }

    /// Records what the hypervisors now have for the VM with `uuid`.
    static func settle(_ services: CoreServices, uuid: String) async {
        let snapshot = services.database.snapshot
        guard let vm = snapshot.ref(VM.self, uuid: uuid), snapshot[vm]?.currentOperations.isEmpty == true else { return }
        if await restartAfterExit(services, vm: vm, uuid: uuid) { return }
        let observation = await Reconciliation.observe(services, uuid: uuid)
        let now = services.now()
        let (metricsRef, metricsUUID) = (services.makeRef(VMGuestMetrics.self), services.environment.makeUUID())
        // The memory a domain that went freed (or one that came took) shows in its host's metrics.
        var free: [(Ref<Host>, Int64)] = []
        for host in Set([snapshot[vm]?.residentOn, observation.host].compactMap { $0 }.filter { !$0.isNull }) {
            if let facts = try? await services.hostFacts(of: host) { free.append((host, facts.freeMemory)) }
        }
        try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for (host, bytes) in free {
                if let metrics = tx.snapshot[host]?.metrics, tx.snapshot.contains(metrics) { try tx.set(metrics, \.memoryFree, bytes) }
            }
            guard let record = tx.snapshot[vm], record.currentOperations.isEmpty else { return }
            try Reconciliation.record(observation, vm: vm, clearingLocks: false, in: &tx)
            if let stat = observation.stat, stat.state == .running || stat.state == .paused {
                try GuestMetricsRecording.record(stat.guest, of: vm, metricsRef: metricsRef, uuid: metricsUUID, at: now, in: &tx)
            }
        }
    }
}
