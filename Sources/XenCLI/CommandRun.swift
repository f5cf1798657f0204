import XenAPI
public import XenCore
public import XenDB
public import XenRPC
import XenCLIProtocol

/// Everything one running command needs: its parameters, the XenAPI session it calls through,
/// and where its output goes.
public struct CommandRun: Sendable {
    public let invocation: CLIInvocation
    public let toolstack: Toolstack
    public let session: String
    public let origin: CallOrigin
    let emit: @Sendable (CLIMessage) async -> Void
    /// Whether the client shows a progress bar (it asked for `progress=true`: its output is a terminal).
    public var showsProgress: Bool { invocation.flag("progress") }

    /// The pool database as it is now.
    public var snapshot: Snapshot { toolstack.services.database.snapshot }

    /// Calls `method` with the session first, as any client would; a failure is thrown as
    /// `CLIFailure.api`.
    @discardableResult
    public func call(_ method: String, _ parameters: RPCValue...) async throws(CLIFailure) -> RPCValue {
        try await call(method, parameters)
    }

    /// Calls `method` with the session and `parameters`.
    @discardableResult
    public func call(_ method: String, _ parameters: [RPCValue]) async throws(CLIFailure) -> RPCValue {
        switch await toolstack.call(method: method, params: [.string(session)] + parameters, origin: origin) {
        case .success(let value), .bare(let value): return value
        case .failure(let description): throw CLIFailure.api(XenAPIError(errorDescription: description))
        }
    }

    /// Runs `Async.<method>` and waits for its task, following it with `event.from` (a progress
    /// bar on a terminal); returns the task's result, or throws its error. The task is destroyed after.
    @discardableResult
    public func runTask(_ method: String, _ parameters: RPCValue...) async throws(CLIFailure) -> String {
        try await runTask(method, parameters)
    }

    /// Runs `Async.<method>` with `parameters` and waits for its task.
    @discardableResult
    public func runTask(_ method: String, _ parameters: [RPCValue]) async throws(CLIFailure) -> String {
        try await wait(for: try await call("Async." + method, parameters)).stringValue ?? ""
    }

    /// Follows `task` with `event.from` until it ends (a progress bar on a terminal); returns its
    /// result, or throws its error. The task is destroyed after.
    @discardableResult
    public func wait(for task: RPCValue) async throws(CLIFailure) -> RPCValue {
        var token = RPCValue.string("")
        var shown = -1.0
        while true {
            let record = try await call("task.get_record", task)
            let status = record["status"]?.stringValue ?? "pending"
            if showsProgress, case .double(let progress) = record["progress"] ?? .nil, progress != shown {
                shown = progress
                await emit(.progress(progress))
            }
            if status != "pending" && status != "cancelling" {
                _ = try? await call("task.destroy", task)
                if status == "success" { return result(record["result"]?.stringValue ?? "") }
                let info = (record["error_info"]?.arrayValue ?? []).compactMap(\.stringValue)
                throw CLIFailure.api(XenAPIError(errorDescription: info.isEmpty ? ["TASK_CANCELLED", task.stringValue ?? ""] : info))
            }
            let batch = try await call("event.from", .array([.string("task/" + (task.stringValue ?? ""))]), token, .double(30))
            token = batch["token"] ?? token
        }
    }

    /// A task's result is an XML-RPC value as text (`<value>OpaqueRef:…</value>`); the value.
    private func result(_ text: String) -> RPCValue {
        let document = "<methodResponse><params><param>\(text)</param></params></methodResponse>"
        return (try? XMLRPCDecoder.decodeResponse(Array(document.utf8))) ?? .string(text)
    }

    /// Prints one line on standard output.
    public func print(_ line: String) async { await emit(.print(line)) }

    /// Has the client upload its local `file` to `path`.
    public func upload(_ file: String, to path: String) async { await emit(.httpPut(file: file, path: path)) }

    /// Has the client download `path` into its local `file`.
    public func download(_ path: String, into file: String) async { await emit(.httpGet(file: file, path: path)) }

    /// Prints lines on standard output.
    public func print(lines: [String]) async {
        guard !lines.isEmpty else { return }
        await emit(.print(lines.joined(separator: "\n")))
    }

    /// Asks the client to confirm and, on `yes`, to run the command again with `--force`.
    public func confirm(_ question: String) async { await emit(.confirm(question)) }

    /// Prints one line on standard error.
    public func printError(_ line: String) async { await emit(.printError(line)) }
}
