import XenAPI
import XenBackend
import XenDB
import XenUpdates

/// One host's way through a rolling operation: prechecked again, disabled and emptied (its VMs
/// live-migrated where the plan says, the rest where they fit), the operation applied (upgrade:
/// the installer's work; update: `host.apply_updates` and its guidance; reboot), back up,
/// verified, done. Each state is written before its work starts, and each step looks at what
/// the host is before acting, so a driver restarted after a crash carries the host on from the
/// state the record holds. A failed attempt is tried again up to the run's `retries`; then the
/// host is failed and the run stops or skips it, as its `on_failure` says.
struct RollingHostStep: Sendable {
    enum Outcome: Sendable {
        case done
        /// Not touched: back to pending (the run was aborted first).
        case stopped
        /// Failed for good; `coordinator` when the coordinator's upgrade failed once it began.
        case failed([String], coordinator: Bool)
        /// Failed for good, and the run carries on without it.
        case failedAndSkipped

        var isCoordinatorFailure: Bool { if case .failed(_, true) = self { true } else { false } }
        var stopsRun: Bool { if case .failed(_, false) = self { true } else { false } }
    }

    /// What ended an attempt, as an error code and its arguments.
    struct AttemptFailure: Error {
        var error: [String]
    }

    let engine: RollingEngine
    let host: Ref<Host>
    let kind: RollingOperationKind
    let settings: RollingSettings
    let target: (release: HostRelease, packages: [RPMPackage])?
    let isCoordinator: Bool
    /// Held while `host.apply_updates` runs: it is one at a time in the pool.
    let applyTurn: RollingTurn

    private var services: CoreServices { engine.services }
    private var snapshot: Snapshot { services.database.snapshot }

    func run(moves: [(vm: Ref<VM>, to: Ref<Host>)]) async -> Outcome {
        var state = RollingHostState(rawValue: snapshot[engine.run]?.hostStates[host] ?? "") ?? .pending
        // Failures seen by this driver: a cap even when the record cannot be written.
        var failuresHere = 0
        while true {
            do {
                switch state {
                case .pending, .prechecked:
                    if engine.status == .aborted { return .stopped }
                    try await engine.setState(host, .prechecked)
                    let blockers = RollingPrechecks.host(host, kind: kind, in: snapshot).filter { $0.severity == .blocker }
                    if !blockers.isEmpty {
                        return await giveUp(
                            ["ROLLING_OPERATION_BLOCKED", engine.run.rawValue, blockers.map(\.encoded).joined(separator: "\n")], touched: false)
                    }
                    try await engine.setState(host, .evacuating) { tx throws(XenAPIError) in try Self.disable(host, in: &tx) }
                    state = .evacuating
                case .evacuating:
                    if engine.status == .aborted {
                        try await engine.setState(host, .pending, detail: "aborted") { tx throws(XenAPIError) in try Self.enable(host, in: &tx) }
                        return .stopped
                    }
                    if try await needsEvacuation() { try await evacuate(moves) }
                    state = .applying
                case .applying:
                    state = try await apply()
                case .rebooting, .rejoining:
                    try await engine.setState(host, .rejoining)
                    try await bootIfDown()
                    try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                        if !PendingGuidance.keepsHostDisabled(host, in: tx.snapshot) { try Self.enable(host, in: &tx) }
                    }
                    state = .verifying
                case .verifying:
                    try await engine.setState(host, .verifying)
                    try await verify()
                    try await engine.setState(host, .done)
                    return .done
                case .done:
                    return .done
                case .failed, .skipped:
                    return .failedAndSkipped
                }
            } catch let failure {
                let error = (failure as? AttemptFailure)?.error ?? (failure as? XenAPIError)?.errorDescription ?? ["INTERNAL_ERROR", "\(failure)"]
                if state == .pending || state == .prechecked || state == .evacuating {
                    return await giveUp(error, touched: false)
                }
                if isCoordinator && kind == .upgrade {
                    try? await engine.setState(host, .failed, detail: error.joined(separator: " "))
                    return .failed(error, coordinator: true)
                }
                failuresHere += 1
                let attempts = max(Int(snapshot[engine.run]?.attempts[host] ?? 0), failuresHere)
                guard attempts <= settings.retries else { return await giveUp(error, touched: true) }
                await engine.note("\(snapshot[host]?.uuid ?? "") attempt \(attempts) failed (\(error.joined(separator: " "))): trying again")
                state = .applying
            }
        }
    }

    /// The host failed for good: recorded as failed (enabled again if nothing was done to it), and
    /// the run stops or carries on, as its `on_failure` says.
    private func giveUp(_ error: [String], touched: Bool) async -> Outcome {
        try? await engine.setState(host, .failed, detail: error.joined(separator: " ")) { tx throws(XenAPIError) in
            if !touched, tx.snapshot[host]?.enabled == false { try Self.enable(host, in: &tx) }
        }
        return settings.onFailure == .skip ? .failedAndSkipped : .failed(error, coordinator: false)
    }

    // MARK: Evacuation

    /// Whether the host must be emptied: always, but for an update whose guidance needs no reboot.
    private func needsEvacuation() async throws -> Bool {
        guard kind == .update else { return true }
        if let record = snapshot[host], record.lastUpdateHash == settings.hash, record.latestSyncedUpdatesApplied == .yes {
            return record.pendingGuidances.contains(.rebootHost)
        }
        let updates = try await UpdateAvailability.load(services).updates(of: host, services)
        return updates.requiresEvacuation || (settings.recommendedGuidance && updates.tasks(.recommended).contains(.rebootHost))
    }

    /// Moves the host's VMs off: first where the plan says (a host already done, so each moves
    /// once), then any left where they fit; a round that moves nothing more ends it.
    private func evacuate(_ moves: [(vm: Ref<VM>, to: Ref<Host>)]) async throws {
        var planned = moves
        var lastError: [String] = []
        for _ in 0..<3 {
            let residents = Set(resident())
            if residents.isEmpty { return }
            let batch: [(vm: Ref<VM>, to: Ref<Host>)]
            if planned.isEmpty {
                let plan = EvacuationPlan(evacuating: host, in: snapshot)
                if let refusal = plan.refusals.first { lastError = refusal.error }
                batch = plan.moves
            } else {
                batch = planned.filter { residents.contains($0.vm) }
                planned = []
            }
            for start in stride(from: 0, to: batch.count, by: HostMessages.defaultEvacuationBatch) {
                let slice = batch[start..<min(start + HostMessages.defaultEvacuationBatch, batch.count)]
                let errors = await withTaskGroup(of: [String]?.self) { group in
                    for move in slice { group.addTask { await migrate(move.vm, to: move.to) } }
                    var errors: [[String]] = []
                    for await error in group { if let error { errors.append(error) } }
                    return errors
                }
                if let error = errors.first { lastError = error }
            }
        }
        if !resident().isEmpty {
            throw AttemptFailure(error: ["CANNOT_EVACUATE_HOST", lastError.joined(separator: ",")])
        }
    }

    /// One live migration, recorded in the run's `moves_made`; the error, if it failed. The VM
    /// is in the run's `moving` while it moves, and is resumed if the failure left it paused.
    private func migrate(_ vm: Ref<VM>, to target: Ref<Host>) async -> [String]? {
        guard let uuid = snapshot[vm]?.uuid, snapshot[vm]?.powerState == .running else { return nil }
        do {
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.update(engine.run) { $0.moving.append(uuid) }
            }
        } catch {
            return error.errorDescription
        }
        var failure: [String]?
        do {
            try await VMMessages(services: services).poolMigrate(RollingEngine.context, vm: vm, host: target, options: ["live": "true"])
        } catch let error as XenAPIError {
            failure = error.code == "VM_BAD_POWER_STATE" ? nil : error.errorDescription
        } catch {
            failure = ["INTERNAL_ERROR", "\(error)"]
        }
        await RollingEngine.resumeMoved([uuid], services: services, run: engine.run)
        if failure != nil { return failure }
        let snapshot = self.snapshot
        let entry = [vm.rawValue, host.rawValue, target.rawValue].map { snapshot[Ref<VM>($0)]?.uuid ?? snapshot[Ref<Host>($0)]?.uuid ?? $0 }
        try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            if tx.snapshot.contains(engine.run) { try tx.update(engine.run) { $0.movesMade.append(entry.joined(separator: ":")) } }
        }
        return nil
    }

    private func resident() -> [Ref<VM>] {
        snapshot.objects(VM.self).filter {
            $0.residentOn == host && !$0.isControlDomain && ($0.powerState == .running || $0.powerState == .paused)
        }.map(\.ref)
    }

    // MARK: The operation

    /// Applies the run's operation to the emptied host; returns the state to go on with.
    private func apply() async throws -> RollingHostState {
        if !resident().isEmpty {
            // VMs came back while the host was up between attempts: empty it again first.
            try await engine.setState(host, .evacuating) { tx throws(XenAPIError) in try Self.disable(host, in: &tx) }
            return .evacuating
        }
        try await engine.setState(host, .applying) { tx throws(XenAPIError) in
            try tx.update(engine.run) { $0.attempts[host, default: 0] += 1 }
            if tx.snapshot[host]?.enabled == true { try Self.disable(host, in: &tx) }
        }
        switch kind {
        case .reboot:
            try await reboot()
        case .upgrade:
            guard let target else { throw AttemptFailure(error: ["UPGRADE_SOURCE_INVALID", settings.source ?? "", "no release"]) }
            let packages = try services.packages(of: host, in: snapshot)
            if await packages.release().sameVersions(as: target.release) { return .rejoining }
            try await bootIfDown()
            let lock = services.makeOpaqueRef()
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                // A host that had to be powered on first came back enabled.
                if tx.snapshot[host]?.enabled == true { try Self.disable(host, in: &tx) }
                try HostMessages.takeDown(host, .reboot, lock: lock, in: &tx)
            }
            try? await services.environment.sleep(services.configuration.hostBootTime * 2)
            var failure: String?
            do throws(HypervisorError) {
                try await packages.upgrade(to: target.release, packages: target.packages)
            } catch {
                failure = "\(error)"
            }
            let release = await packages.release()
            let now = services.now()
            try await engine.setState(host, .rebooting, detail: release.productVersion) { tx throws(XenAPIError) in
                guard let record = tx.snapshot[host] else { return }
                try tx.set(host, \.softwareVersion, RollingUpgrade.softwareVersion(release, hostname: record.hostname, date: now))
                try RollingUpgrade.refresh(&tx)
            }
            try? await services.environment.sleep(services.configuration.hostBootTime)
            do {
                try await HostMessages.finishBoot(services, host: host, lock: lock)
            } catch {
                failure = failure ?? "the host did not come back"
            }
            if let failure { throw AttemptFailure(error: ["UPGRADE_FAILED", host.rawValue, failure]) }
        case .update:
            let record = try snapshot.require(host)
            if record.lastUpdateHash != settings.hash || record.latestSyncedUpdatesApplied != .yes {
                await applyTurn.enter()
                do {
                    _ = try await HostMessages(services: services).applyUpdates(RollingEngine.context, object: host, hash: settings.hash)
                    await applyTurn.leave()
                } catch {
                    await applyTurn.leave()
                    throw AttemptFailure(error: (error as? XenAPIError)?.errorDescription ?? ["INTERNAL_ERROR", "\(error)"])
                }
            }
            let after = try snapshot.require(host)
            let guidance = Set(after.pendingGuidances + (settings.recommendedGuidance ? after.pendingGuidancesRecommended : []))
            let reboots: Set<UpdateGuidances> = [
                .rebootHost, .rebootHostOnLivepatchFailure, .rebootHostOnKernelLivepatchFailure, .rebootHostOnXenLivepatchFailure,
            ]
            if !guidance.isDisjoint(with: reboots) {
                try await reboot()
            } else if guidance.contains(.restartToolstack) {
                try await engine.setState(host, .rebooting, detail: "restarting the toolstack")
                try? await services.environment.sleep(services.configuration.hostBootTime / 4)
                try await PendingGuidance.toolstackStarted(services, hosts: [host])
            }
        }
        return .rejoining
    }

    /// Reboots the emptied host (powers it on if it is down).
    private func reboot() async throws {
        guard snapshot[snapshot[host]?.metrics ?? .null]?.live == true else { return try await bootIfDown() }
        let lock = services.makeOpaqueRef()
        try await engine.setState(host, .rebooting) { tx throws(XenAPIError) in
            if tx.snapshot[host]?.enabled == true { try Self.disable(host, in: &tx) }
            try HostMessages.takeDown(host, .reboot, lock: lock, in: &tx)
        }
        try? await services.environment.sleep(services.configuration.hostBootTime)
        do {
            try await HostMessages.finishBoot(services, host: host, lock: lock)
        } catch {
            throw AttemptFailure(error: ["HOST_OFFLINE", host.rawValue])
        }
    }

    /// A host that is down and not booting (its boot failed, or a restart found it so) is
    /// powered on.
    private func bootIfDown() async throws {
        guard let record = snapshot[host], snapshot[record.metrics]?.live != true else { return }
        let lock = services.makeOpaqueRef()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.update(host) { $0.currentOperations[lock] = .powerOn }
            try HostMessages.refreshAllowedOperations(&tx, host)
        }
        try? await services.environment.sleep(services.configuration.hostBootTime)
        do {
            try await HostMessages.finishBoot(services, host: host, lock: lock)
        } catch {
            throw AttemptFailure(error: ["HOST_OFFLINE", host.rawValue])
        }
    }

    /// The host is up, enabled, and has what the run gave it.
    private func verify() async throws {
        let record = try snapshot.require(host)
        guard snapshot[record.metrics]?.live == true else { throw AttemptFailure(error: ["HOST_OFFLINE", host.rawValue]) }
        switch kind {
        case .upgrade:
            if let target, RollingUpgrade.release(of: host, in: snapshot).map({ !$0.sameVersions(as: target.release) }) ?? true {
                throw AttemptFailure(error: ["UPGRADE_FAILED", host.rawValue, "the host does not run \(target.release.productVersion)"])
            }
        case .update:
            guard record.latestSyncedUpdatesApplied == .yes else { throw AttemptFailure(error: ["APPLY_UPDATES_FAILED", host.rawValue]) }
            guard record.pendingGuidances.isEmpty else {
                throw AttemptFailure(error: ["HOST_PENDING_MANDATORY_GUIDANCE_NOT_EMPTY", host.rawValue])
            }
        case .reboot:
            break
        }
        guard record.enabled else { throw AttemptFailure(error: ["HOST_DISABLED", host.rawValue]) }
    }

    /// Disabled for the run, and kept disabled across a toolstack restart.
    static func disable(_ host: Ref<Host>, in tx: inout Transaction) throws(XenAPIError) {
        try tx.update(host) { host in
            host.enabled = false
            host.otherConfig[HostMessages.autoEnableKey] = "false"
        }
        try HostMessages.refreshAllowedOperations(&tx, host)
    }

    /// Enabled again once the run is done with it.
    static func enable(_ host: Ref<Host>, in tx: inout Transaction) throws(XenAPIError) {
        try tx.update(host) { host in
            host.enabled = true
            host.otherConfig[HostMessages.autoEnableKey] = nil
        }
        try HostMessages.refreshAllowedOperations(&tx, host)
    }
}

/// One holder at a time, the others waiting their turn in order.
actor RollingTurn {
    private var held = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard held else {
            held = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { held = false } else { waiting.removeFirst().resume() }
    }
}
