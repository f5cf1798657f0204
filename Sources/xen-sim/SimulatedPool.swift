import XenAPI
import XenBackend
import XenCore
import XenDB
import XenRPC
import XenSimulation

/// A simulated pool and one incarnation of its toolstack. A restart builds a new toolstack on the
/// same journal (replayed, as after a crash) and the same machines, whose domains outlive it; a
/// crash first cuts the old incarnation off from its journal (losing the write in flight) and
/// from the hypervisors.
struct SimulatedPool: Sendable {
    let persistence: CrashablePersistence
    let machines: SimulatedMachines
    let services: CoreServices
    let toolstack: Toolstack
    let session: RPCValue
    private let fences: [FencedHypervisor]
    private let packageFences: [FencedPackageDatabase]
    private let environment: Environment
    private let storageRoot: String
    static let password = "xen-sim"

    /// `storageRoot` is the folder for the hosts' SR files; `fails` the fault oracle, asked before
    /// each hypervisor and package step by name.
    init(
        environment: Environment, hosts: Int, hostMemory: Int64? = nil, fails: @escaping @Sendable (String) -> Bool, storageRoot: String
    ) async throws {
        let configuration = Self.configuration
        let machines = try SimulatedMachines(
            count: hosts, hostname: configuration.hostname, address: configuration.address,
            shape: hostMemory.map { .init(memory: $0, reservedMemory: configuration.controlDomainMemory) }
                ?? .init(reservedMemory: configuration.controlDomainMemory),
            sources: .init(sleep: environment.sleep, makeUUID: environment.makeUUID, randomBytes: environment.randomBytes),
            fails: fails)
        try await self.init(
            environment: environment, persistence: CrashablePersistence(sleep: environment.sleep), machines: machines,
            storageRoot: storageRoot)
    }

    private init(environment: Environment, persistence: CrashablePersistence, machines: SimulatedMachines, storageRoot: String) async throws {
        self.environment = environment
        self.storageRoot = storageRoot
        self.persistence = persistence
        self.machines = machines
        let fences = machines.machines.map { FencedHypervisor($0.hypervisor) }
        let packageFences = machines.machines.map { FencedPackageDatabase($0.packages) }
        self.fences = fences
        self.packageFences = packageFences
        let credentials = try RootCredentials.make(password: Self.password, salt: environment.randomBytes(16))
        services = CoreServices(
            database: try PoolDatabase(persistence: persistence.handle()), environment: environment,
            configuration: Self.configuration, credentials: CredentialStore(credentials, save: { _ in }),
            machines: machines.machines.indices.map {
                HostMachine(inventory: machines.machines[$0].inventory, hypervisor: fences[$0], packages: packageFences[$0])
            },
            storageRoot: storageRoot)
        toolstack = try Toolstack(services: services)
        try await toolstack.startUp()
        guard case .success(let session) = await toolstack.call(
            method: "session.login_with_password", params: ["root", .string(Self.password)])
        else { throw XenAPIError.internalError(message: "xen-sim could not log in") }
        self.session = session
    }

    private static var configuration: ToolstackConfiguration {
        ToolstackConfiguration(hostname: "sim", address: "127.0.0.1")
    }

    /// The process dies where it stands: its journal and hypervisors take nothing more from it.
    func crash() {
        persistence.crash()
        for fence in fences { fence.fence() }
        for fence in packageFences { fence.fence() }
    }

    /// The toolstack after a restart: the journal replayed, the domains as they are.
    func restarted() async throws -> SimulatedPool {
        try await SimulatedPool(environment: environment, persistence: persistence, machines: machines, storageRoot: storageRoot)
    }

    func call(_ method: String, _ params: [RPCValue]) async -> CallResult {
        await toolstack.call(method: method, params: [session] + params)
    }
}
