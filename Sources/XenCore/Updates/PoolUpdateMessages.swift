import XenAPI
import XenDB

/// `pool.sync_updates`, `pool.check_update_readiness`, and HA on and off in the simulator's
/// terms (the flag and its configuration; the prerequisite update and upgrade work checks).
extension PoolMessages {
    func syncUpdates(
        _ context: CallContext, object pool: Ref<Pool>, force: Bool, token: String, tokenId: String, username: String, password: String
    ) async throws -> String {
        _ = try services.database.snapshot.require(pool)
        return try await PoolOperations.run(services, .syncUpdates, context: context) {
            try await UpdateSync.syncRemote(services, force: force, username: username, password: password) { fraction in
                await UpdateSync.report(services, context.task, fraction)
            }
        }
    }

    /// xapi's readiness report: HA enabled, hosts offline, and, when the update needs reboots,
    /// each host's VMs that could not be evacuated.
    func checkUpdateReadiness(_ context: CallContext, object pool: Ref<Pool>, requiresReboot: Bool) async throws -> [[String]] {
        let snapshot = services.database.snapshot
        let record = try snapshot.require(pool)
        var problems: [[String]] = []
        if record.haEnabled { problems.append(["HA_IS_ENABLED"]) }
        for host in snapshot.objects(Host.self) where snapshot[host.metrics]?.live != true {
            problems.append(["HOST_OFFLINE", host.ref.rawValue])
        }
        if requiresReboot {
            for host in snapshot.objects(Host.self) where snapshot[host.metrics]?.live == true {
                for refusal in EvacuationPlan(evacuating: host.ref, in: snapshot).refusals { problems.append(refusal.error) }
            }
        }
        return problems
    }

    func enableHA(_ context: CallContext, heartbeatSrs: [Ref<SR>], configuration: [String: String]) async throws {
        try await PoolOperations.run(services, .haEnable, context: context) {
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                guard let pool = tx.snapshot.objects(Pool.self).first else { return }
                if pool.haEnabled { throw XenAPIError.haIsEnabled() }
                var statefiles: [String] = []
                for sr in heartbeatSrs {
                    let record = try tx.snapshot.require(sr)
                    statefiles.append(record.uuid)
                }
                try tx.update(pool.ref) { pool in
                    pool.haEnabled = true
                    pool.haConfiguration = configuration
                    pool.haStatefiles = statefiles
                }
            }
        }
    }

    func disableHA(_ context: CallContext) async throws {
        try await PoolOperations.run(services, .haDisable, context: context) {
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                guard let pool = tx.snapshot.objects(Pool.self).first else { return }
                guard pool.haEnabled else { throw XenAPIError.haNotEnabled() }
                try tx.update(pool.ref) { pool in
                    pool.haEnabled = false
                    pool.haConfiguration = [:]
                    pool.haStatefiles = []
                }
            }
        }
    }
}
