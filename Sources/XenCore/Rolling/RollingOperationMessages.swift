import XenAPI
import XenDB

/// `Rolling_operation.start`, `pause`, `resume`, `abort`, `skip_host` and `retry`: each changes
/// the run's record in one write; the engine (`RollingEngine`) does the work in the background
/// and owns the run from then on.
struct RollingOperationMessages: RollingOperationActions {
    let services: CoreServices

    func start(_ context: CallContext, object run: Ref<RollingOperation>) async throws {
        let snapshot = services.database.snapshot
        let record = try snapshot.require(run)
        guard record.status == .planned else { throw XenAPIError.rollingOperationStatusInvalid(ref: run.rawValue, status: record.status.rawValue) }
        let settings = try RollingSettings(record.options, kind: record.kind, services: services)
        let hosts = record.hosts.filter { record.hostStates[$0] == RollingHostState.pending.rawValue }
        let findings = RollingPrechecks.run(
            kind: record.kind, options: record.options, hosts: hosts, stranded: Self.stranded(record, settings, snapshot, services),
            in: snapshot, services: services)
        let blockers = findings.filter { $0.severity == .blocker && !(settings.autoFix && $0.fix != nil) }
        guard blockers.isEmpty else {
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.update(run) { $0.prechecks = findings.map(\.encoded) }
            }
            throw XenAPIError.rollingOperationBlocked(ref: run.rawValue, blockers: blockers.map(\.encoded).joined(separator: "\n"))
        }
        let fixes = settings.autoFix ? findings.compactMap(\.fix) : []
        let ejected = try await RollingFixes.ejectDiscs(fixes, services: services)
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let record = try tx.snapshot.require(run)
            guard record.status == .planned else {
                throw XenAPIError.rollingOperationStatusInvalid(ref: run.rawValue, status: record.status.rawValue)
            }
            if let active = RollingEngine.active(in: tx.snapshot) { throw XenAPIError.rollingOperationActive(ref: active.ref.rawValue) }
            let made = try RollingFixes.make(fixes, in: &tx)
            try tx.update(run) { run in
                run.status = .running
                run.prechecks = findings.map(\.encoded)
                run.autoFixes = made + ejected
                run.timeline.append("\(now.wireText) started" + (made + ejected).map { " (fixed: \($0))" }.joined())
            }
        }
        RollingEngine.drive(services, run)
    }

    func pause(_ context: CallContext, object run: Ref<RollingOperation>) async throws {
        try await change(run, from: [.running], to: .paused, note: "paused: hosts under way are finished first")
    }

    func resume(_ context: CallContext, object run: Ref<RollingOperation>) async throws {
        try await change(run, from: [.paused], to: .running, note: "resumed")
        RollingEngine.drive(services, run)
    }

    /// With no host under way the run ends at once (what it changed to start put back);
    /// otherwise its driver finishes the hosts under way first.
    func abort(_ context: CallContext, object run: Ref<RollingOperation>) async throws {
        let now = services.now()
        let underWay = try await services.database.write { (tx: inout Transaction) throws(XenAPIError) -> Bool in
            let record = try tx.snapshot.require(run)
            guard [.planned, .running, .paused].contains(record.status) else {
                throw XenAPIError.rollingOperationStatusInvalid(ref: run.rawValue, status: record.status.rawValue)
            }
            let underWay = record.hostStates.values.contains { RollingHostState(rawValue: $0)?.isInFlight ?? false }
            let fixes = underWay ? [] : record.autoFixes
            try tx.update(run) { run in
                run.status = .aborted
                run.timeline.append("\(now.wireText) " + (underWay ? "abort requested: hosts under way are finished first" : "aborted"))
                if !underWay { run.autoFixes = [] }
            }
            try RollingFixes.putBack(fixes, in: &tx)
            return underWay
        }
        if underWay { RollingEngine.drive(services, run) }
    }

    func skipHost(_ context: CallContext, object run: Ref<RollingOperation>, host: Ref<Host>) async throws {
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let record = try tx.snapshot.require(run)
            guard record.status != .done, record.status != .aborted else {
                throw XenAPIError.rollingOperationStatusInvalid(ref: run.rawValue, status: record.status.rawValue)
            }
            let hostRecord = try tx.snapshot.require(host)
            let state = record.hostStates[host] ?? ""
            guard state == RollingHostState.pending.rawValue || state == RollingHostState.failed.rawValue else {
                throw XenAPIError.rollingOperationHostState(host: host.rawValue, state: state.isEmpty ? "not in the run" : state)
            }
            try tx.update(run) { run in
                run.hostStates[host] = RollingHostState.skipped.rawValue
                run.timeline.append("\(now.wireText) \(hostRecord.uuid) skipped")
            }
        }
    }

    func retry(_ context: CallContext, object run: Ref<RollingOperation>) async throws {
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let record = try tx.snapshot.require(run)
            guard record.status == .failed else {
                throw XenAPIError.rollingOperationStatusInvalid(ref: run.rawValue, status: record.status.rawValue)
            }
            if let active = RollingEngine.active(in: tx.snapshot) { throw XenAPIError.rollingOperationActive(ref: active.ref.rawValue) }
            try tx.update(run) { run in
                for (host, state) in run.hostStates where state == RollingHostState.failed.rawValue {
                    run.hostStates[host] = RollingHostState.pending.rawValue
                    run.attempts[host] = 0
                }
                run.status = .running
                run.error = []
                run.timeline.append("\(now.wireText) retried")
            }
        }
        RollingEngine.drive(services, run)
    }

    private func change(
        _ run: Ref<RollingOperation>, from allowed: Set<RollingOperationStatus>, to status: RollingOperationStatus, note: String
    ) async throws(XenAPIError) {
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let record = try tx.snapshot.require(run)
            guard allowed.contains(record.status) else {
                throw XenAPIError.rollingOperationStatusInvalid(ref: run.rawValue, status: record.status.rawValue)
            }
            if status == .running, let active = RollingEngine.active(in: tx.snapshot, other: run) {
                throw XenAPIError.rollingOperationActive(ref: active.ref.rawValue)
            }
            try tx.update(run) { run in
                run.status = status
                run.timeline.append("\(now.wireText) \(note)")
            }
        }
    }

    /// The VMs that fit nowhere if the run started now.
    private static func stranded(
        _ record: ObjectView<RollingOperation>, _ settings: RollingSettings, _ snapshot: Snapshot, _ services: CoreServices
    ) -> [Ref<VM>] {
        let pending = Set(record.hosts.filter { record.hostStates[$0] == RollingHostState.pending.rawValue })
        let (hosts, vms) = PoolMessages.plannerInputs(snapshot, settings: settings, services: services) { pending.contains($0.ref) }
        let outcome = RollingPlanner.plan(hosts: hosts, vms: vms, coordinator: services.localHost(snapshot).rawValue, policy: settings.policy)
        return outcome.stranded.map { Ref($0) }
    }
}
