import Foundation
import XenAPI
import XenBackend
import XenDB

/// `pool.plan_rolling_operation`: the pool as the planner sees it (hosts with their memory for VMs,
/// running VMs, the coordinator, which hosts need the operation), planned, and recorded as a
/// `Rolling_operation` in state `planned`: a dry run, nothing moves.
extension PoolMessages {
    func planRollingOperation(
        _ context: CallContext, object pool: Ref<Pool>, kind: RollingOperationKind, options: [String: String]
    ) async throws -> Ref<RollingOperation> {
        let settings = try RollingSettings(options, kind: kind, services: services)
        var target: HostRelease?
        if kind == .upgrade {
            guard let source = options["source"] else { throw XenAPIError.invalidValue(field: "source", value: "") }
            target = try await HostMessages.readRelease(source, services).0
        }
        let snapshot = services.database.snapshot
        let record = try snapshot.require(pool)
        if let active = RollingEngine.active(in: snapshot) { throw XenAPIError.rollingOperationActive(ref: active.ref.rawValue) }
        let (hosts, vms) = Self.plannerInputs(snapshot, settings: settings, services: services) { host in
            switch kind {
            case .upgrade:
                if let target, let current = RollingUpgrade.release(of: host.ref, in: snapshot) { current < target } else { true }
            case .update: host.latestSyncedUpdatesApplied != .yes
            case .reboot: true
            }
        }
        let outcome = RollingPlanner.plan(hosts: hosts, vms: vms, coordinator: record.master.rawValue, policy: settings.policy)
        let prechecks = RollingPrechecks.run(
            kind: kind, options: options, hosts: hosts.filter(\.needsRemediation).map { Ref<XenAPI.Host>($0.id) },
            stranded: outcome.stranded.map { Ref<VM>($0) }, in: snapshot, services: services)
        let now = services.now()
        let ref: Ref<RollingOperation> = services.makeRef()
        let uuid = services.environment.makeUUID()
        let uuidOf = { (ref: String) in snapshot[Ref<XenAPI.Host>(ref)]?.uuid ?? snapshot[Ref<VM>(ref)]?.uuid ?? ref }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for earlier in tx.snapshot.objects(RollingOperation.self) where earlier.status == .planned { try tx.delete(earlier.ref) }
            try tx.insert(ref) { run in
                run.uuid = uuid
                run.kind = kind
                run.status = .planned
                run.options = options
                run.hosts = outcome.waves.flatMap(\.hosts).map { Ref<XenAPI.Host>($0) }
                run.hostStates = Dictionary(uniqueKeysWithValues: run.hosts.map { ($0, "pending") })
                run.waves = outcome.waves.map { $0.hosts.map(uuidOf).joined(separator: ",") }
                run.plannedMoves = outcome.waves.enumerated().flatMap { index, wave in
                    wave.moves.map { "\(index + 1):\(uuidOf($0.vm)):\(uuidOf($0.from)):\(uuidOf($0.to))" }
                }
                run.bounds = [
                    "migrations": String(outcome.migrations), "migrations_lower_bound": String(outcome.migrationsLowerBound),
                    "makespan": String(Int(outcome.makespan.rounded())),
                    "makespan_lower_bound": String(Int(outcome.makespanLowerBound.rounded())),
                    "ramp_aware_bound": String(Int(outcome.rampAwareBound.rounded())), "max_unavailable": String(outcome.maxUnavailable),
                ]
                run.eta = DateTime(secondsSinceEpoch: now.secondsSinceEpoch + Int64(outcome.makespan.rounded()))
                run.timeline = ["\(now.wireText) planned: \(outcome.waves.count) waves, \(outcome.migrations) migrations"]
                run.prechecks = prechecks.map(\.encoded)

            }
        }
        return ref
    }

    /// The planner's view of the pool: each host's memory for VMs (whether it `needs` the
    /// operation), and the running VMs with their memory, host, and whether they can move.
    static func plannerInputs(
        _ snapshot: Snapshot, settings: RollingSettings, services: CoreServices, needs: (ObjectView<XenAPI.Host>) -> Bool
    ) -> ([RollingPlan.Host], [RollingPlan.VM]) {
        let hosts = snapshot.objects(XenAPI.Host.self).sorted(by: { $0.ref.rawValue < $1.ref.rawValue }).map { host in
            let total = snapshot[host.metrics]?.memoryTotal ?? 0
            return RollingPlan.Host(
                id: host.ref.rawValue, capacity: max(0, total - services.configuration.controlDomainMemory),
                remediation: settings.remediation, bandwidth: settings.bandwidth, needsRemediation: needs(host))
        }
        let vms = snapshot.objects(VM.self).filter {
            !$0.isControlDomain && ($0.powerState == .running || $0.powerState == .paused) && snapshot.contains($0.residentOn)
        }.map { vm in
            RollingPlan.VM(
                id: vm.ref.rawValue, memory: snapshot[vm.metrics]?.memoryActual ?? vm.memoryDynamicMax, host: vm.residentOn.rawValue,
                pinned: pinned(vm, snapshot),
                antiAffinityGroup: Placement.antiAffinityGroup(of: vm, in: snapshot)?.rawValue)
        }
        return (hosts, vms)
    }

    /// A VM that cannot be live-migrated between hosts: one with a disk on storage only its host sees.
    static func pinned(_ vm: ObjectView<VM>, _ snapshot: Snapshot) -> Bool {
        vm.vbds.contains { vbd in
            guard let drive = snapshot[vbd], drive.type != .cd, let disk = snapshot[drive.vdi], let sr = snapshot[disk.sr] else { return false }
            return !sr.shared
        }
    }
}
