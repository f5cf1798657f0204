public import XenCLIProtocol
public import XenCore
import XenAPI
import XenAPIModel
import XenRPC

/// Runs `xe` command lines on the server, as xapi's `/cli` handler does: reads the line, finds the
/// command, logs in with the credentials the client passed (or, on the local socket, as root),
/// runs the command through ordinary XenAPI calls, and logs out.
public struct CLIServer: Sendable {
    public let toolstack: Toolstack
    public let table: CommandTable

    public init(toolstack: Toolstack) {
        self.toolstack = toolstack
        self.table = CommandTable(model: DataModel.current)
    }

    /// Runs one command line (its words, one per line of the request); the output goes to
    /// `emit`, the last message being `.exit` with the exit code, which is also returned.
    @discardableResult
    public func run(words: [String], origin: CallOrigin, emit: @escaping @Sendable (CLIMessage) async -> Void) async
        -> Int32
    {
        let code: Int32
        do {
            code = try await execute(words: words, origin: origin, emit: emit)
        } catch {
            let failure: CLIFailure =
                switch error {
                case let failure as CLIFailure: failure
                case let error as XenAPIError: .api(error)
                default: .api(.internalError(message: "\(error)"))
                }
            let documentation = ErrorDocumentation(model: DataModel.current, snapshot: toolstack.services.database.snapshot)
            let report = failure.report(in: documentation)
            for line in report.standardOutput { await emit(.print(line)) }
            for line in report.standardError { await emit(.printError(line)) }
            code = report.exitCode
        }
        await emit(.exit(code))
        return code
    }

    private func execute(words: [String], origin: CallOrigin, emit: @escaping @Sendable (CLIMessage) async -> Void)
        async throws -> Int32
    {
        let invocation = try CLIInvocation(words: words)
        let name = invocation.command ?? "help"
        if name == "help" {
            for line in CLIHelp.lines(for: invocation, in: table) { await emit(.print(line)) }
            return 0
        }
        guard let command = table[name] else { throw CLIFailure.unknownCommand(name) }
        for key in command.required where invocation[key] == nil { throw CLIFailure.missingParameter(key) }
        let unknown = command.unknownParameters(in: invocation)
        guard unknown.isEmpty else { throw CLIFailure.unknownParameters(unknown) }
        // A session the client already has (`session_id=`) is used as is and left open.
        let given = invocation["session_id"]
        var session = given ?? ""
        if given == nil { session = try await logIn(invocation, origin: origin) }
        let run = CommandRun(invocation: invocation, toolstack: toolstack, session: session, origin: origin, emit: emit)
        do {
            try await command.run(run)
        } catch {
            if given == nil { await logOut(session, origin: origin) }
            throw error
        }
        if given == nil { await logOut(session, origin: origin) }
        return 0
    }

    private func logOut(_ session: String, origin: CallOrigin) async {
        _ = await toolstack.call(method: "session.logout", params: [.string(session)], origin: origin)
    }

    /// A session for the command: the one the client named, or a login with its credentials
    /// (on the local socket none are needed, as on a XenServer host).
    private func logIn(_ invocation: CLIInvocation, origin: CallOrigin) async throws -> String {
        let username = invocation["username"]
        let password = invocation["password"]
        if username == nil || password == nil, origin != .localSocket {
            throw CLIFailure.authentication("Username/password must be specified")
        }
        let result = await toolstack.call(
            method: "session.login_with_password",
            params: [.string(username ?? "root"), .string(password ?? ""), .string("2.21"), .string("xe")], origin: origin)
        switch result {
        case .success(.string(let session)): return session
        case .failure(let description) where description.first == "SESSION_AUTHENTICATION_FAILED":
            throw CLIFailure.authentication("Authentication failed")
        case .failure(let description): throw CLIFailure.api(XenAPIError(errorDescription: description))
        default: throw CLIFailure.api(.internalError(message: "login returned no session"))
        }
    }
}
