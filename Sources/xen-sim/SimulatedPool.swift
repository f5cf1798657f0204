import XenAPI
import XenCore
import XenDB
import XenRPC
import XenSimulation

/// One simulated host and its toolstack. A restart builds a new toolstack on the same journal
/// (replayed, as after a crash) and the same hypervisor, whose domains outlive it.
struct SimulatedPool: Sendable {
    let persistence: MemoryPersistence
    let hypervisor: SimulatedHypervisor
    let services: CoreServices
    let toolstack: Toolstack
    let session: RPCValue
    private let environment: Environment
    static let password = "xen-sim"

    init(environment: Environment, faultsPerThousand: Int, random: SimulationRandom) async throws {
        let configuration = Self.configuration
        let hypervisor = try SimulatedHypervisor(
            totalMemory: configuration.memoryTotal, reservedMemory: configuration.controlDomainMemory,
            cpuCount: configuration.cpuCount, sleep: environment.sleep,
            fails: { _ in random.below(1000) < faultsPerThousand })
        try await self.init(environment: environment, persistence: MemoryPersistence(), hypervisor: hypervisor)
    }

    private init(environment: Environment, persistence: MemoryPersistence, hypervisor: SimulatedHypervisor) async throws {
        self.environment = environment
        self.persistence = persistence
        self.hypervisor = hypervisor
        let credentials = try RootCredentials.make(password: Self.password, salt: environment.randomBytes(16))
        services = CoreServices(
            database: try PoolDatabase(persistence: persistence), environment: environment,
            configuration: Self.configuration, credentials: CredentialStore(credentials, save: { _ in }),
            hypervisor: hypervisor)
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

    /// The toolstack after a restart: the journal replayed, the domains as they are.
    func restarted() async throws -> SimulatedPool {
        try await SimulatedPool(environment: environment, persistence: persistence, hypervisor: hypervisor)
    }

    func call(_ method: String, _ params: [RPCValue]) async -> CallResult {
        await toolstack.call(method: method, params: [session] + params)
    }
}
