import XenAPI
import XenDB

/// `host.evacuate` and its checks: every VM resident on the host is live-migrated to the host
/// the evacuation plan gives it, a batch at a time, while the host takes no new VMs.
extension HostMessages {
    /// How many migrations an evacuation runs at once when the caller leaves it to the server (xapi's default).
    static let defaultEvacuationBatch = 10

    func getVmsWhichPreventEvacuation(_ context: CallContext, object host: Ref<Host>) async throws -> [Ref<VM>: [String]] {
        let snapshot = services.database.snapshot
        _ = try snapshot.require(host)
        let plan = EvacuationPlan(evacuating: host, in: snapshot)
        return Dictionary(plan.refusals.map { ($0.vm, $0.error) }, uniquingKeysWith: { first, _ in first })
    }

    /// xapi's older form: every refusal joined into one `CANNOT_EVACUATE_HOST` argument.
    func assertCanEvacuate(_ context: CallContext, host: Ref<Host>) async throws {
        let snapshot = services.database.snapshot
        _ = try snapshot.require(host)
        let refusals = EvacuationPlan(evacuating: host, in: snapshot).refusals
        guard refusals.isEmpty else {
            throw XenAPIError.cannotEvacuateHost(errors: refusals.map { $0.error.joined(separator: ",") }.joined(separator: "|"))
        }
    }

    func evacuate(_ context: CallContext, host: Ref<Host>, network: Ref<Network>, evacuateBatchSize: Int64) async throws {
        let lock = context.task?.rawValue ?? services.makeOpaqueRef()
        let plan = try await services.database.write { (tx: inout Transaction) throws(XenAPIError) -> EvacuationPlan in
            let record = try tx.snapshot.require(host)
            if let busy = record.currentOperations.sorted(by: { $0.key < $1.key }).first {
                if busy.value == .evacuate { throw XenAPIError.hostEvacuateInProgress(host: host.rawValue) }
                throw XenAPIError.otherOperationInProgress(
                    className: Host.className, ref: host.rawValue, operation: busy.value.rawValue, taskRef: busy.key)
            }
            let plan = EvacuationPlan(evacuating: host, in: tx.snapshot)
            if let refusal = plan.refusals.first { throw XenAPIError(errorDescription: refusal.error) }
            try tx.update(host) { $0.currentOperations[lock] = .evacuate }
            try Self.refreshAllowedOperations(&tx, host)
            return plan
        }
        let failure = await migrate(plan.moves, context: context, batch: evacuateBatchSize > 0 ? Int(evacuateBatchSize) : Self.defaultEvacuationBatch)
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            guard tx.snapshot.contains(host) else { return }
            try tx.update(host) { $0.currentOperations[lock] = nil }
            try Self.refreshAllowedOperations(&tx, host)
        }
        if let failure { throw failure }
    }

    /// Runs the migrations `batch` at a time; returns the first failure other than a VM that
    /// stopped running meanwhile (which has nothing left to move).
    private func migrate(_ moves: [(vm: Ref<VM>, to: Ref<Host>)], context: CallContext, batch: Int) async -> XenAPIError? {
        let vmMessages = VMMessages(services: services)
        var failure: XenAPIError?
        var start = 0
        while start < moves.count {
            let slice = moves[start..<min(start + batch, moves.count)]
            start += batch
            let errors = await withTaskGroup(of: XenAPIError?.self) { group in
                for move in slice {
                    group.addTask {
                        do {
                            try await vmMessages.poolMigrate(context, vm: move.vm, host: move.to, options: ["live": "true"])
                            return nil
                        } catch let error as XenAPIError {
                            return error.code == "VM_BAD_POWER_STATE" ? nil : error
                        } catch {
                            return XenAPIError.internalError(message: "\(error)")
                        }
                    }
                }
                var errors: [XenAPIError] = []
                for await error in group { if let error { errors.append(error) } }
                return errors
            }
            failure = failure ?? errors.first
        }
        return failure
    }
}
