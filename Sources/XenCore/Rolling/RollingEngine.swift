import Foundation
import Synchronization
import XenAPI
import XenBackend
import XenDB
import XenUpdates

/// A host's place in a rolling operation, as `Rolling_operation.host_states` holds it.
enum RollingHostState: String, Sendable {
    case pending, prechecked, evacuating, applying, rebooting, rejoining, verifying, done, failed, skipped

    /// Taken by the run and not yet finished: a restarted driver carries it on first.
    var isInFlight: Bool { ![.pending, .done, .failed, .skipped].contains(self) }
}

/// The runs this toolstack is driving, so that each run has one driver however often it is
/// resumed (an API call, a start-up, a database restore).
final class RollingDrivers: Sendable {
    private let active = Mutex<Set<String>>([])

    func claim(_ run: Ref<RollingOperation>) -> Bool { active.withLock { $0.insert(run.rawValue).inserted } }
    func release(_ run: Ref<RollingOperation>) { _ = active.withLock { $0.remove(run.rawValue) } }
}

/// The server-owned driver of a `Rolling_operation`: wave after wave (the planner's first wave
/// over the pool as it is now, so a run that was paused or restarted plans the rest afresh), each
/// host through its states (`RollingHostStep`), every change written to the record before the
/// next step, so a restarted toolstack carries on where the record says. Upgrades take a
/// database dump before the coordinator's step; a coordinator that fails is put back to its
/// release and the dump; a member that keeps failing stops the run or is skipped, as the run's
/// options say. Whatever the run changed to start (HA, WLB) is put back when it ends.
struct RollingEngine: Sendable {
    let services: CoreServices
    let run: Ref<RollingOperation>

    /// The calls the engine makes, in the toolstack's own name.
    static let context = CallContext(session: .null, task: nil, method: "Rolling_operation", origin: .localSocket)

    /// The run that is running or paused, other than `run`: only one may be active.
    static func active(in snapshot: Snapshot, other run: Ref<RollingOperation> = .null) -> ObjectView<RollingOperation>? {
        snapshot.objects(RollingOperation.self).first { $0.ref != run && ($0.status == .running || $0.status == .paused) }
    }

    /// Starts driving the run in the background unless it is driven already.
    static func drive(_ services: CoreServices, _ run: Ref<RollingOperation>) {
        guard services.rollingDrivers.claim(run) else { return }
        services.environment.background.submit {
            let sawItStopped = await RollingEngine(services: services, run: run).loop()
            services.rollingDrivers.release(run)
            // A resume that came after the driver saw the run paused found it still claimed.
            if sawItStopped, let record = services.database.snapshot[run], record.status == .running,
                !services.environment.background.isFinishing
            {
                drive(services, run)
            }
        }
    }

    /// At start-up: drives again every run that was running, and every aborted one with hosts
    /// still in flight or fixes still to put back.
    static func resumeRuns(_ services: CoreServices) {
        for record in services.database.snapshot.objects(RollingOperation.self) {
            let unfinished = record.hostStates.values.contains { RollingHostState(rawValue: $0)?.isInFlight ?? false }
            if record.status == .running || (record.status == .aborted && (unfinished || !record.autoFixes.isEmpty)) {
                drive(services, record.ref)
            }
        }
    }

    /// Drives the run until it ends or stops; true when it returned because it found the run
    /// no longer running (paused by a call), false when it ended the run itself or gave up.
    func loop() async -> Bool {
        while !services.environment.background.isFinishing {
            // Migrations a crash interrupted, or whose VM could not be resumed yet.
            if let moving = services.database.snapshot[run]?.moving, !moving.isEmpty {
                await Self.resumeMoved(moving, services: services, run: run)
            }
            let snapshot = services.database.snapshot
            guard let record = snapshot[run] else { return false }
            guard record.status == .running || record.status == .aborted else { return true }
            let inFlight = record.hosts.filter { RollingHostState(rawValue: record.hostStates[$0] ?? "")?.isInFlight ?? false }
            if record.status == .aborted {
                guard !inFlight.isEmpty || !record.autoFixes.isEmpty else { return false }
                _ = await runWave(inFlight, moves: [:], record: record)
                await end(.aborted, error: [], note: "aborted")
                return false
            }
            var wave = inFlight
            var moves: [Ref<XenAPI.Host>: [(vm: Ref<VM>, to: Ref<XenAPI.Host>)]] = [:]
            if wave.isEmpty {
                let pending = record.hosts.filter { record.hostStates[$0] == RollingHostState.pending.rawValue }
                guard !pending.isEmpty else {
                    let failed = record.hosts.filter { record.hostStates[$0] == RollingHostState.failed.rawValue }
                    if failed.isEmpty {
                        await end(.done, error: [], note: "done")
                    } else {
                        await end(.failed, error: ["ROLLING_OPERATION_HOSTS_FAILED"] + failed.compactMap { snapshot[$0]?.uuid }, note: "done with failed hosts")
                    }
                    return false
                }
                (wave, moves) = nextWave(record, pending: Set(pending), in: snapshot)
                await note("wave: " + wave.compactMap { snapshot[$0]?.uuid }.joined(separator: ","))
            }
            if record.kind == .upgrade, wave.contains(services.localHost(snapshot)), record.databaseBackup.isEmpty {
                guard await takeDatabaseBackup(record) else { return false }
            }
            let outcomes = await runWave(wave, moves: moves, record: record)
            if let failure = outcomes.first(where: { $0.isCoordinatorFailure }), case .failed(let error, _) = failure {
                await RollingRevert(engine: self).coordinatorFailed(error: error)
                return false
            }
            if let failure = outcomes.first(where: { $0.stopsRun }), case .failed(let error, _) = failure {
                await end(.failed, error: error, note: "stopped: " + error.joined(separator: " "))
                return false
            }
            // A wave that changed nothing in the record could not write it: this toolstack
            // cannot carry the run on (the next start-up will).
            if services.database.snapshot[run]?.timeline.count == record.timeline.count { return false }
        }
        return false
    }

    /// The VMs (uuids) the run was moving are done moving: one left paused (its migration failed
    /// or was cut off after the source stopped it) is unpaused where it is; they leave `moving`.
    static func resumeMoved(_ uuids: [String], services: CoreServices, run: Ref<RollingOperation>) async {
        guard !uuids.isEmpty else { return }
        var settled: [String] = []
        for uuid in uuids {
            guard let vm = services.database.snapshot.objects(VM.self).first(where: { $0.uuid == uuid }) else {
                settled.append(uuid)
                continue
            }
            if vm.powerState == .paused { try? await VMMessages(services: services).unpause(RollingEngine.context, vm: vm.ref) }
            // One still paused stays in `moving`, to be resumed at the next turn.
            if services.database.snapshot[vm.ref]?.powerState != .paused { settled.append(uuid) }
        }
        try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            guard tx.snapshot.contains(run) else { return }
            try tx.update(run) { run in run.moving.removeAll { settled.contains($0) } }
        }
    }

    /// The planner's next wave over the pool as it is: the hosts still pending need the
    /// operation, every other host is done for the planner (a skipped or failed host takes
    /// VMs as it is).
    private func nextWave(
        _ record: ObjectView<RollingOperation>, pending: Set<Ref<XenAPI.Host>>, in snapshot: Snapshot
    ) -> ([Ref<XenAPI.Host>], [Ref<XenAPI.Host>: [(vm: Ref<VM>, to: Ref<XenAPI.Host>)]]) {
        guard let settings = try? RollingSettings(record.options, kind: record.kind, services: services) else {
            return ([pending.sorted { $0.rawValue < $1.rawValue }[0]], [:])
        }
        let (hosts, vms) = PoolMessages.plannerInputs(snapshot, settings: settings, services: services) { pending.contains($0.ref) }
        let outcome = RollingPlanner.plan(
            hosts: hosts, vms: vms, coordinator: services.localHost(snapshot).rawValue, policy: settings.policy)
        guard let first = outcome.waves.first else { return ([pending.sorted { $0.rawValue < $1.rawValue }[0]], [:]) }
        var moves: [Ref<XenAPI.Host>: [(vm: Ref<VM>, to: Ref<XenAPI.Host>)]] = [:]
        for move in first.moves { moves[Ref(move.from), default: []].append((Ref(move.vm), Ref(move.to))) }
        return (first.hosts.map { Ref($0) }, moves)
    }

    private func runWave(
        _ wave: [Ref<XenAPI.Host>], moves: [Ref<XenAPI.Host>: [(vm: Ref<VM>, to: Ref<XenAPI.Host>)]], record: ObjectView<RollingOperation>
    ) async -> [RollingHostStep.Outcome] {
        guard let settings = try? RollingSettings(record.options, kind: record.kind, services: services) else {
            await end(.failed, error: ["INVALID_VALUE", "options"], note: "the run's options are not valid")
            return []
        }
        var target: (HostRelease, [RPMPackage])?
        if record.kind == .upgrade, let source = settings.source {
            do {
                let (release, packages) = try await HostMessages.readRelease(source, services)
                target = (release, packages)
            } catch {
                return [.failed(error.errorDescription, coordinator: false)]
            }
        }
        let coordinator = services.localHost(services.database.snapshot)
        let applyTurn = RollingTurn()
        return await withTaskGroup(of: RollingHostStep.Outcome.self) { group in
            for host in wave {
                let step = RollingHostStep(
                    engine: self, host: host, kind: record.kind, settings: settings, target: target, isCoordinator: host == coordinator,
                    applyTurn: applyTurn)
                group.addTask { await step.run(moves: moves[host] ?? []) }
            }
            var outcomes: [RollingHostStep.Outcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
    }

    /// Writes the dump of the database beside the pool's data and names it in the run.
    private func takeDatabaseBackup(_ record: ObjectView<RollingOperation>) async -> Bool {
        let folder = services.storageRoot + "/.rolling-operations"
        let path = folder + "/\(record.uuid)-pool-database.xml"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            // Named in the run before the file exists would point at nothing: file first.
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.update(run) { $0.databaseBackup = path }
            }
            try Data(DatabaseDump.xml(services.database.snapshot)).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            await end(.failed, error: ["INTERNAL_ERROR", "the database backup could not be written: \(error)"], note: "no database backup")
            return false
        }
        await note("database backup: \(path)")
        return true
    }

    /// Ends the run: its status, error and a last timeline entry, and what the run changed to
    /// start put back.
    func end(_ status: RollingOperationStatus, error: [String], note text: String) async {
        for _ in 0..<3 {
            guard let moving = services.database.snapshot[run]?.moving, !moving.isEmpty else { break }
            await Self.resumeMoved(moving, services: services, run: run)
        }
        let now = services.now()
        try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            guard let record = tx.snapshot[run] else { return }
            let fixes = record.autoFixes
            try tx.update(run) { run in
                run.status = status
                run.error = error
                run.eta = now
                run.timeline.append("\(now.wireText) \(text)")
                run.autoFixes = []
            }
            try RollingFixes.putBack(fixes, in: &tx)
        }
    }

    /// Appends `text` to the run's timeline.
    func note(_ text: String) async {
        let now = services.now()
        try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            guard tx.snapshot.contains(run) else { return }
            try tx.update(run) { $0.timeline.append("\(now.wireText) \(text)") }
        }
    }

    /// Records the host's new state (with a timeline entry), and whatever else `also` writes in
    /// the same transaction.
    func setState(
        _ host: Ref<XenAPI.Host>, _ state: RollingHostState, detail: String = "",
        also: (inout Transaction) throws(XenAPIError) -> Void = { _ throws(XenAPIError) in }
    ) async throws(XenAPIError) {
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            guard tx.snapshot.contains(run) else { return }
            try also(&tx)
            let uuid = tx.snapshot[host]?.uuid ?? host.rawValue
            try tx.update(run) { run in
                run.hostStates[host] = state.rawValue
                run.timeline.append("\(now.wireText) \(uuid) \(state.rawValue)" + (detail.isEmpty ? "" : ": \(detail)"))
            }
        }
    }

    /// The run's status now.
    var status: RollingOperationStatus? { services.database.snapshot[run]?.status }
}
