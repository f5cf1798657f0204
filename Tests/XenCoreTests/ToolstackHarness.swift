import XenAPI
import XenCore
import XenDB
import XenRPC

/// A whole toolstack in process: seeded environment, in-memory database, bootstrapped pool.
struct ToolstackHarness {
    let seeded: SeededEnvironment
    let toolstack: Toolstack
    static let password = "harness-password"

    init(seed: UInt64 = 1) async throws {
        seeded = SeededEnvironment(seed: seed)
        let environment = seeded.environment
        let credentials = try RootCredentials.make(password: Self.password, salt: environment.randomBytes(16))
        let services = CoreServices(
            database: try PoolDatabase(persistence: MemoryPersistence()), environment: environment,
            configuration: ToolstackConfiguration(hostname: "harness", address: "127.0.0.1"),
            credentials: CredentialStore(credentials, save: { _ in }))
        toolstack = try Toolstack(services: services)
        try await toolstack.bootstrapIfEmpty()
    }

    func login() async throws -> String {
        guard case .success(.string(let ref)) = await toolstack.call(
            method: "session.login_with_password", params: ["root", .string(Self.password)])
        else { throw XenAPIError.internalError(message: "login failed") }
        return ref
    }

    /// Waits (in real time, briefly) until `count` tasks sleep on the virtual clock.
    func waitForSleepers(_ count: Int) async throws {
        for _ in 0..<2000 where seeded.sleeperCount < count { try await _Concurrency.Task.sleep(for: .milliseconds(1)) }
    }

    func call(_ method: String, _ params: RPCValue...) async -> CallResult {
        await toolstack.call(method: method, params: params)
    }

    /// The value of a successful call, or the failure as an error.
    func value(_ method: String, _ params: RPCValue...) async throws -> RPCValue {
        switch await toolstack.call(method: method, params: params) {
        case .success(let value), .bare(let value): return value
        case .failure(let description): throw XenAPIError(code: description[0], parameters: Array(description.dropFirst()))
        }
    }
}
