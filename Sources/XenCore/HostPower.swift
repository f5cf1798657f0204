import XenAPI
import XenDB
import XenBackend

/// `host.reboot`, `host.shutdown` and `host.power_on`: a host goes down only when disabled with
/// no VM running on it (xapi's "bacon mode" check), is not live while it is down, and comes back
/// enabled after it boots. The boot finishes in the background; one a crash interrupted is
/// finished when the toolstack starts.
extension HostMessages {
    func reboot(_ context: CallContext, host: Ref<Host>) async throws {
        let lock = try await goDown(context, host, .reboot)
        services.environment.background.submit { [services] in
            try? await services.environment.sleep(services.configuration.hostBootTime)
            try? await Self.finishBoot(services, host: host, lock: lock)
        }
    }

    func shutdown(_ context: CallContext, host: Ref<Host>) async throws {
        let lock = try await goDown(context, host, .shutdown)
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.update(host) { $0.currentOperations[lock] = nil }
            try Self.refreshAllowedOperations(&tx, host)
        }
    }

    func powerOn(_ context: CallContext, host: Ref<Host>) async throws {
        let lock = context.task?.rawValue ?? services.makeOpaqueRef()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let record = try tx.snapshot.require(host)
            guard tx.snapshot[record.metrics]?.live != true else { throw XenAPIError.hostIsLive(host: host.rawValue) }
            try tx.update(host) { $0.currentOperations[lock] = .powerOn }
            try Self.refreshAllowedOperations(&tx, host)
        }
        services.environment.background.submit { [services] in
            try? await services.environment.sleep(services.configuration.hostBootTime)
            try? await Self.finishBoot(services, host: host, lock: lock)
        }
    }

    /// Checks the host may go down, and takes it down: not live, holding `operation` until it is up.
    func goDown(_ context: CallContext, _ host: Ref<Host>, _ operation: HostAllowedOperations) async throws(XenAPIError) -> String {
        let lock = context.task?.rawValue ?? services.makeOpaqueRef()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try Self.takeDown(host, operation, lock: lock, in: &tx)
        }
        return lock
    }

    /// In one write: checks the host may go down (disabled, nothing else running on it, no VM
    /// resident) and takes it down, not live, holding `operation` under `lock` until it is up.
    static func takeDown(_ host: Ref<Host>, _ operation: HostAllowedOperations, lock: String, in tx: inout Transaction) throws(XenAPIError) {
        let record = try tx.snapshot.require(host)
        guard !record.enabled else { throw XenAPIError.hostNotDisabled() }
        if let busy = record.currentOperations.sorted(by: { $0.key < $1.key }).first {
            throw XenAPIError.otherOperationInProgress(
                className: Host.className, ref: host.rawValue, operation: busy.value.rawValue, taskRef: busy.key)
        }
        if let vm = tx.snapshot.objects(VM.self).first(where: {
            $0.residentOn == host && !$0.isControlDomain && ($0.powerState == .running || $0.powerState == .paused)
        }) {
            throw XenAPIError.hostInUse(host: host.rawValue, type: "vm", ref: vm.ref.rawValue)
        }
        try tx.update(host) { $0.currentOperations[lock] = operation }
        try tx.set(record.metrics, \.live, false)
        try refreshAllowedOperations(&tx, host)
    }

    /// The host is up again: live, enabled, and its operation done.
    /// A boot that fails leaves the host down with its operation done (it can be powered on
    /// again), and is `HOST_OFFLINE`.
    static func finishBoot(_ services: CoreServices, host: Ref<Host>, lock: String) async throws(XenAPIError) {
        var bootFailed = false
        if let packages = try? services.packages(of: host, in: services.database.snapshot) {
            do throws(HypervisorError) { try await packages.booted() } catch { bootFailed = true }
        }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            guard let record = tx.snapshot[host] else { return }
            if bootFailed {
                try tx.update(host) { $0.currentOperations[lock] = nil }
                try refreshAllowedOperations(&tx, host)
                return
            }
            try PendingGuidance.hostBooted(host, in: &tx)
            // A host with mandatory guidance still pending stays disabled (xapi's
            // `consider_enabling_host`): a half-finished update takes no VMs.
            let enable = !PendingGuidance.keepsHostDisabled(host, in: tx.snapshot)
            try tx.update(host) { host in
                host.currentOperations[lock] = nil
                host.enabled = enable
                if enable { host.otherConfig[autoEnableKey] = nil }
            }
            if tx.snapshot.contains(record.metrics) {
                try tx.update(record.metrics) { metrics in
                    metrics.live = true
                    metrics.lastUpdated = services.now()
                }
            }
            try refreshAllowedOperations(&tx, host)
        }
        if bootFailed { throw XenAPIError.hostOffline(host: host.rawValue) }
    }

    /// At start-up: a reboot or power-on that a crash interrupted has finished meanwhile.
    static func finishInterruptedBoots(_ services: CoreServices, hosts: [Ref<Host>]) async throws(XenAPIError) {
        let snapshot = services.database.snapshot
        for host in hosts {
            for (lock, operation) in snapshot[host]?.currentOperations ?? [:] where operation == .reboot || operation == .powerOn {
                do {
                    try await finishBoot(services, host: host, lock: lock)
                } catch where error.code == "HOST_OFFLINE" {
                    // The host did not come back: it stays down until powered on.
                }
            }
        }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for host in hosts where tx.snapshot.contains(host) {
                try tx.update(host) { host in host.currentOperations = host.currentOperations.filter { $0.value == .shutdown } }
                try refreshAllowedOperations(&tx, host)
            }
        }
    }

    /// Sets each host's `host_metrics.memory_free` from its hypervisor.
    static func refreshMemory(_ services: CoreServices, hosts: [Ref<Host>]) async throws(XenAPIError) {
        var free: [(Ref<Host>, Int64)] = []
        for host in hosts { free.append((host, try await services.hostFacts(of: host).freeMemory)) }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for (host, bytes) in free {
                if let metrics = tx.snapshot[host]?.metrics, tx.snapshot.contains(metrics) {
                    try tx.set(metrics, \.memoryFree, bytes)
                }
            }
        }
    }

    /// Sets `allowed_operations` from the host's state: a host that is down can only be powered
    /// on; one that is up takes VMs, and can be evacuated, rebooted or shut down when nothing
    /// else runs on it. While versions are mixed only what every release understands is
    /// reported (xapi's rule).
    static func refreshAllowedOperations(_ tx: inout Transaction, _ host: Ref<Host>) throws(XenAPIError) {
        let record = try tx.snapshot.require(host)
        var allowed: [HostAllowedOperations]
        if tx.snapshot[record.metrics]?.live != true {
            allowed = record.currentOperations.isEmpty ? [.powerOn] : []
        } else {
            allowed = [.provision, .vmStart, .vmResume, .vmMigrate]
            if record.currentOperations.isEmpty { allowed += [.evacuate, .reboot, .shutdown] }
        }
        if RollingUpgrade.inProgress(tx.snapshot) { allowed = allowed.filter(RollingUpgrade.hostOperations.contains) }
        try tx.set(host, \.allowedOperations, allowed)
    }
}
