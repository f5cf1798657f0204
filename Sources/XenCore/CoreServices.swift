import XenAPI
public import XenDB
import XenRPC

/// What message implementations share: the database, the environment, the configuration and
/// the in-memory registries that are not database state (event queues, task control).
public final class CoreServices: Sendable {
    public let database: PoolDatabase
    public let environment: Environment
    public let configuration: ToolstackConfiguration
    public let credentials: CredentialStore
    let eventQueues = EventQueues()
    let taskControl = TaskControl()

    public init(
        database: PoolDatabase, environment: Environment, configuration: ToolstackConfiguration,
        credentials: CredentialStore
    ) {
        self.database = database
        self.environment = environment
        self.configuration = configuration
        self.credentials = credentials
    }

    /// A fresh `OpaqueRef:<uuid>`.
    func makeRef() -> String { ObjectRef.opaque(environment.makeUUID()).rawValue }

    /// Now, as a wire datetime.
    func now() -> RPCValue { .dateTime(WireDateTime.format(secondsSinceEpoch: environment.wallClockSeconds())) }

    /// The host this toolstack runs as (the pool's only host, for now the coordinator).
    func localHost(_ snapshot: Snapshot) -> String {
        if let pool = snapshot.refs("pool").first, case .string(let master) = snapshot.value("pool", pool, "master") {
            return master
        }
        return ObjectRef.null.rawValue
    }

    /// Fails with `HANDLE_INVALID [class, ref]` unless the object exists.
    func requireObject(_ snapshot: Snapshot, _ className: String, _ ref: String) throws(XenAPIError) {
        guard snapshot.contains(className, ref) else {
            throw XenAPIError.handleInvalid(className: className, handle: ref)
        }
    }
}
