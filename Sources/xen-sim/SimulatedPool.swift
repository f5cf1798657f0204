import XenAPI
import XenCore
import XenDB
import XenRPC
import XenSimulation

/// A simulated pool and its toolstack. A restart builds a new toolstack on the same journal
/// (replayed, as after a crash) and the same machines, whose domains outlive it.
struct SimulatedPool: Sendable {
    let persistence: MemoryPersistence
    let machines: SimulatedMachines
    let services: CoreServices
    let toolstack: Toolstack
    let session: RPCValue
    private let environment: Environment
    static let password = "xen-sim"

    init(environment: Environment, hosts: Int, faultsPerThousand: Int, random: SimulationRandom) async throws {
        let configuration = Self.configuration
        let machines = try SimulatedMachines(
            count: hosts, hostname: configuration.hostname, address: configuration.address,
            shape: .init(reservedMemory: configuration.controlDomainMemory),
            sources: .init(sleep: environment.sleep, makeUUID: environment.makeUUID, randomBytes: environment.randomBytes),
            fails: { _ in random.below(1000) < faultsPerThousand })
        try await self.init(environment: environment, persistence: MemoryPersistence(), machines: machines)
    }

    private init(environment: Environment, persistence: MemoryPersistence, machines: SimulatedMachines) async throws {
        self.environment = environment
        self.persistence = persistence
        self.machines = machines
        let credentials = try RootCredentials.make(password: Self.password, salt: environment.randomBytes(16))
        services = CoreServices(
            database: try PoolDatabase(persistence: persistence), environment: environment,
            configuration: Self.configuration, credentials: CredentialStore(credentials, save: { _ in }),
            machines: machines.machines)
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
        try await SimulatedPool(environment: environment, persistence: persistence, machines: machines)
    }

    func call(_ method: String, _ params: [RPCValue]) async -> CallResult {
        await toolstack.call(method: method, params: [session] + params)
    }
}
