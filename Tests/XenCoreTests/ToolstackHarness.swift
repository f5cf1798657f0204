import Foundation
import XenAPI
import XenCore
import XenDB
import XenRPC
import XenSimulation

/// A whole toolstack in process: seeded environment, in-memory database, bootstrapped pool.
struct ToolstackHarness {
    let seeded: SeededEnvironment
    let machines: SimulatedMachines
    let toolstack: Toolstack
    /// The folder of the pool's SR files.
    let storageRoot: String
    static let password = "harness-password"

    /// A pool of `hosts` simulated hosts of `hostMemory` bytes each. `fails` is the simulated
    /// hypervisors' fault oracle, asked before each step by name; `database` and `machines`
    /// ones that outlived an earlier harness (a restart), else new ones.
    init(
        seed: UInt64 = 1, hosts: Int = 1, hostMemory: Int64 = 68_719_476_736, database: PoolDatabase? = nil,
        machines: MemorySimulationStorage = MemorySimulationStorage(), storageRoot: String? = nil,
        fails: @escaping @Sendable (String) -> Bool = { _ in false }, role: PoolRole = .standalone()
    ) async throws {
        self.storageRoot = storageRoot ?? Self.storageRoot()
        seeded = SeededEnvironment(seed: seed)
        let environment = seeded.environment
        let credentials = try RootCredentials.make(password: Self.password, salt: environment.randomBytes(16))
        let configuration = ToolstackConfiguration(hostname: "harness", address: "127.0.0.1")
        self.machines = try SimulatedMachines(
            count: hosts, hostname: configuration.hostname, address: configuration.address,
            shape: .init(memory: hostMemory, reservedMemory: configuration.controlDomainMemory),
            sources: .init(sleep: environment.sleep, makeUUID: environment.makeUUID, randomBytes: environment.randomBytes),
            fails: fails, storage: machines)
        let services = CoreServices(
            database: try database ?? PoolDatabase(persistence: MemoryPersistence()), environment: environment,
            configuration: configuration, credentials: CredentialStore(credentials, save: { _ in }),
            machines: self.machines.machines, rack: self.machines, role: role, storageRoot: self.storageRoot)
        toolstack = try Toolstack(services: services)
        try await toolstack.startUp()
    }

    /// A folder of the harness's own for its SRs' files (tests run side by side, and seeds repeat uuids).
    static func storageRoot() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("swift-xapi-tests/\(UUID().uuidString)").path
    }

    func login() async throws -> String {
        guard case .success(.string(let ref)) = await toolstack.call(
            method: "session.login_with_password", params: ["root", .string(Self.password)])
        else { throw XenAPIError.internalError(message: "login failed") }
        return ref
    }

    /// Runs `body` on the seeded executor with the background work (Async calls) running beside
    /// it: jobs run one at a time, and virtual time moves only when nothing else can run.
    func run(_ body: @escaping @Sendable () async throws -> Void) async throws {
        let seeded = seeded
        try await seeded.run {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await seeded.background.run() }
                try await body()
                seeded.background.finish()
                try await group.waitForAll()
            }
        }
    }

    /// Waits, following `event.from` on the task (never polling), until it is no longer pending;
    /// returns its final status.
    func waitForTask(_ session: RPCValue, _ task: RPCValue) async throws -> RPCValue {
        var token = RPCValue.string("")
        while true {
            let status = try await value("task.get_status", session, task)
            guard status == "pending" || status == "cancelling" else { return status }
            let batch = try await value("event.from", session, [.string("task/" + (task.stringValue ?? ""))], token, .double(60))
            token = batch["token"] ?? token
        }
    }

    func call(_ method: String, _ params: RPCValue...) async -> CallResult {
        await toolstack.call(method: method, params: params)
    }

    /// The value of a successful call, or the failure as an error.
    func value(_ method: String, _ params: RPCValue...) async throws -> RPCValue {
        switch await toolstack.call(method: method, params: params) {
        case .success(let value), .bare(let value): return value
        case .failure(let description): throw XenAPIError(errorDescription: description)
        }
    }
}

/// Makes a halted VM through the implicit constructor, from a typed record: `memory` bytes in
/// every memory field, two VCPUs, and a simulated guest agent unless `agent` is false.
func makeVM(
    _ harness: ToolstackHarness, _ session: RPCValue, name: String = "test", memory: Int64 = 2 << 30, agent: Bool = true
) async throws -> RPCValue {
    var record = VM()
    record.nameLabel = name
    record.memoryStaticMax = memory
    record.memoryDynamicMax = memory
    record.memoryDynamicMin = memory
    record.memoryStaticMin = memory
    record.vcpusMax = 2
    record.vcpusAtStartup = 2
    record.actionsAfterShutdown = .destroy
    record.actionsAfterReboot = .restart
    record.actionsAfterCrash = .restart
    if !agent { record.otherConfig["simulated-guest-agent"] = "false" }
    return try await harness.value("VM.create", session, record.rpcValue)
}
