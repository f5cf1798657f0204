import XenAPI
import XenDB

/// The pool's exclusive operations (xapi's `pool.current_operations` for update work): syncing,
/// applying updates, configuring repositories and turning HA on or off exclude one another, so
/// only one runs at a time pool-wide. Each holds an entry in `current_operations` while it runs;
/// entries a crash left behind are cleared when the toolstack starts.
enum PoolOperations {
    static let exclusive: Set<PoolAllowedOperations> = [
        .syncUpdates, .applyUpdates, .configureRepositories, .haEnable, .haDisable, .designateNewMaster, .eject,
    ]

    /// Runs `body` holding `operation` on the pool, refused when another exclusive one runs.
    static func run<T: Sendable>(
        _ services: CoreServices, _ operation: PoolAllowedOperations, context: CallContext, body: () async throws -> T
    ) async throws -> T {
        let lock = context.task?.rawValue ?? services.makeOpaqueRef()
        let pool = try await begin(services, operation, lock: lock)
        do {
            let result = try await body()
            try await end(services, pool, lock: lock)
            return result
        } catch {
            try? await end(services, pool, lock: lock)
            throw error
        }
    }

    private static func begin(_ services: CoreServices, _ operation: PoolAllowedOperations, lock: String) async throws(XenAPIError) -> Ref<Pool> {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) -> Ref<Pool> in
            guard let pool = tx.snapshot.objects(Pool.self).first else { throw XenAPIError.internalError(message: "no pool") }
            if let (task, running) = pool.currentOperations.sorted(by: { $0.key < $1.key }).first(where: { exclusive.contains($0.value) }) {
                switch running {
                case .syncUpdates: throw XenAPIError.syncUpdatesInProgress()
                case .applyUpdates: throw XenAPIError.applyUpdatesInProgress()
                case .configureRepositories: throw XenAPIError.configureRepositoriesInProgress()
                default:
                    throw XenAPIError.otherOperationInProgress(
                        className: Pool.className, ref: pool.ref.rawValue, operation: running.rawValue, taskRef: task)
                }
            }
            try tx.update(pool.ref) { $0.currentOperations[lock] = operation }
            return pool.ref
        }
    }

    private static func end(_ services: CoreServices, _ pool: Ref<Pool>, lock: String) async throws(XenAPIError) {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            guard tx.snapshot.contains(pool) else { return }
            try tx.update(pool) { $0.currentOperations[lock] = nil }
        }
    }

    /// At start-up: operations of a toolstack that stopped are over.
    static func clearStale(_ services: CoreServices) async throws(XenAPIError) {
        let pools = services.database.snapshot.objects(Pool.self).filter { !$0.currentOperations.isEmpty }
        guard !pools.isEmpty else { return }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for pool in pools { try tx.update(pool.ref) { $0.currentOperations = [:] } }
        }
    }
}
