import XenAPI
public import XenBackend
public import XenDB
import XenRPC

/// What message implementations share: the database, the environment, the configuration and
/// the in-memory registries that are not database state (event queues, task control).
public final class CoreServices: Sendable {
    public let database: PoolDatabase
    public let environment: Environment
    public let configuration: ToolstackConfiguration
    public let credentials: CredentialStore
    /// The hypervisor this host runs its VMs on.
    public let hypervisor: any Hypervisor
    let eventQueues = EventQueues()
    let taskControl = TaskControl()

    public init(
        database: PoolDatabase, environment: Environment, configuration: ToolstackConfiguration,
        credentials: CredentialStore, hypervisor: any Hypervisor
    ) {
        self.database = database
        self.environment = environment
        self.configuration = configuration
        self.credentials = credentials
        self.hypervisor = hypervisor
    }

    /// A fresh `OpaqueRef:<uuid>` for a new object of class `T`.
    func makeRef<T: XenClass>(_ type: T.Type = T.self) -> Ref<T> { Ref(makeOpaqueRef()) }

    /// A fresh `OpaqueRef:<uuid>`, for code that handles objects of any class.
    func makeOpaqueRef() -> String { "OpaqueRef:" + environment.makeUUID() }

    /// The hypervisor's view of this host's resources.
    func hostFacts() async throws(XenAPIError) -> HostFacts {
        do throws(HypervisorError) {
            return try await hypervisor.hostFacts()
        } catch {
            throw PlanExecution.apiError(error)
        }
    }

    /// Now, as a datamodel datetime.
    func now() -> DateTime { DateTime(secondsSinceEpoch: environment.wallClockSeconds()) }

    /// The host this toolstack runs as (the pool's only host, for now the coordinator).
    func localHost(_ snapshot: Snapshot) -> Ref<Host> {
        snapshot.objects(Pool.self).first?.master ?? .null
    }
}
