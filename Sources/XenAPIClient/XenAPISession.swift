public import XenAPI
public import XenRPC

/// A logged-in session: every generated call (`session.vm.getRecord(vm)`) goes through it with
/// the session reference first.
public final class XenAPISession: Sendable {
    public let connection: XenAPIConnection
    /// The session reference the server handed out.
    public let ref: Ref<Session>

    /// Wraps a session reference obtained elsewhere.
    public init(connection: XenAPIConnection, ref: Ref<Session>) {
        self.connection = connection
        self.ref = ref
    }

    /// Logs in with `session.login_with_password`.
    public static func login(
        _ connection: XenAPIConnection, user: String, password: String, version: String = "2.21",
        originator: String = "swift-xapi"
    ) async throws -> XenAPISession {
        let ref = try await connection.loginWithPassword(uname: user, pwd: password, version: version, originator: originator)
        return XenAPISession(connection: connection, ref: ref)
    }

    /// Calls `method` with the session first and reads the result as an `R`.
    public func invoke<R: XenValue>(_ method: String, _ params: [RPCValue]) async throws -> R {
        try await connection.invoke(method, [ref.rpcValue] + params)
    }
}
