import XenAPI
import XenBackend
import XenDB
import XenUpdates

/// `host.apply_updates` (xapi's `repository.ml` `apply_updates`): checked against the hash the
/// admin reviewed, installed into the host's package database, the chosen live patches applied,
/// and the guidance recorded as pending on the host and its VMs. The toolstack never reboots or
/// evacuates on its own: it records what must happen next.
extension HostMessages {
    func applyUpdates(_ context: CallContext, object host: Ref<Host>, hash: String) async throws -> [[String]] {
        let snapshot = services.database.snapshot
        _ = try snapshot.require(host)
        if snapshot.objects(Pool.self).first?.haEnabled == true { throw XenAPIError.haIsEnabled() }
        return try await PoolOperations.run(services, .applyUpdates, context: context) {
            try await apply(host, hash: hash, context: context)
        }
    }

    private func apply(_ host: Ref<Host>, hash: String, context: CallContext) async throws -> [[String]] {
        let snapshot = services.database.snapshot
        let record = try snapshot.require(host)
        guard record.pendingGuidances.isEmpty else { throw XenAPIError.hostPendingMandatoryGuidanceNotEmpty(host: host.rawValue) }
        let availability = try UpdateAvailability.load(services)
        guard !hash.isEmpty, hash == availability.hash else { throw XenAPIError.updateinfoHashMismatch() }
        let coordinator = services.localHost(snapshot)
        // The coordinator's apply looks at every host: if any needs its VMs restarted, every
        // running VM of the pool must be, so that VMs end up on updated hosts.
        let everyHost = host == coordinator ? try await availability.updates(of: snapshot.refs(Host.self), services) : []
        let updates = try await availability.updates(of: host, services)
        let now = services.now()
        guard !updates.isUpToDate else {
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.update(host) { host in
                    host.latestSyncedUpdatesApplied = .yes
                    host.lastUpdateHash = hash
                }
            }
            return []
        }
        if updates.requiresEvacuation {
            let resident = snapshot.objects(VM.self).contains {
                $0.residentOn == host && !$0.isControlDomain && ($0.powerState == .running || $0.powerState == .paused)
            }
            guard !record.enabled, !resident else { throw XenAPIError.hostEvacuationIsRequired(host: host.rawValue) }
        }
        let packages = try services.packages(of: host, in: snapshot)
        // The host takes no VMs while its packages change.
        let wasEnabled = record.enabled
        if wasEnabled { try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in try tx.set(host, \.enabled, false) } }
        do throws(HypervisorError) {
            try await packages.install(updates.rpms)
        } catch {
            if wasEnabled { try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in try tx.set(host, \.enabled, true) } }
            throw XenAPIError.applyUpdatesFailed(host: host.rawValue)
        }
        await UpdateSync.report(services, context.task, 0.8)
        var warnings: [[String]] = []
        var failedComponents: Set<LivepatchComponent> = []
        var patchedComponents: Set<LivepatchComponent> = []
        for patch in updates.livepatches {
            do throws(HypervisorError) {
                try await packages.applyLivepatch(patch)
                patchedComponents.insert(patch.component)
            } catch {
                failedComponents.insert(patch.component)
                warnings.append(["APPLY_LIVEPATCH_FAILED", "\(patch.component.rawValue) \(patch.baseBuildID) \(patch.toVersion)-\(patch.toRelease)"])
            }
        }
        let restartVM = Set(GuidanceKind.reported.filter { kind in everyHost.contains { $0.1.tasks(kind).contains(.restartVM) } })
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let vms = tx.snapshot.objects(VM.self).filter { !$0.isControlDomain && !$0.isATemplate && $0.powerState == .running }
            for kind in GuidanceKind.reported {
                let values = Set(updates.tasks(kind).compactMap(PendingGuidance.value))
                try PendingGuidance.add(values.intersection(PendingGuidance.hostValues), kind: kind, to: host, in: &tx)
                if values.contains(.restartDeviceModel) {
                    for vm in vms where vm.residentOn == host && !vm.hvmBootPolicy.isEmpty {
                        try PendingGuidance.add([.restartDeviceModel], kind: kind, to: vm.ref, in: &tx)
                    }
                }
                if restartVM.contains(kind) {
                    for vm in vms { try PendingGuidance.add([.restartVM], kind: kind, to: vm.ref, in: &tx) }
                }
            }
            for component in failedComponents {
                try PendingGuidance.add([Self.livepatchFailure(component)], kind: .recommended, to: host, in: &tx)
            }
            for component in patchedComponents.subtracting(failedComponents) {
                try PendingGuidance.clear([Self.livepatchFailure(component)], from: host, in: &tx)
            }
            let stayDisabled = PendingGuidance.keepsHostDisabled(host, in: tx.snapshot)
            try tx.update(host) { host in
                host.lastSoftwareUpdate = now
                host.latestSyncedUpdatesApplied = .yes
                host.lastUpdateHash = hash
                if wasEnabled && !stayDisabled { host.enabled = true }
            }
        }
        return warnings
    }

    func emergencyClearMandatoryGuidance(_ context: CallContext) async throws {
        let host = services.localHost(services.database.snapshot)
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.set(host, \.pendingGuidances, [])
        }
    }

    private static func livepatchFailure(_ component: LivepatchComponent) -> UpdateGuidances {
        component == .xen ? .rebootHostOnXenLivepatchFailure : .rebootHostOnKernelLivepatchFailure
    }
}
