public import XenAPI
public import XenRPC

extension XenAPISession {
    /// Waits until `task` is no longer pending (following `event.from` on it, never polling) and
    /// returns its result; a failed or cancelled task throws its `error_info` as a `XenAPIError`.
    public func result(of task: Ref<Task>) async throws -> RPCValue {
        var token = ""
        while true {
            let status = try await self.task.getStatus(task)
            switch status {
            case .pending, .cancelling:
                let batch: RPCValue = try await invoke("event.from", [[.string("task/" + task.rawValue)], .string(token), .double(30)])
                token = batch["token"]?.stringValue ?? token
            case .success:
                let text = try await self.task.getResult(task)
                return try Self.decodeResult(text)
            case .failure, .cancelled:
                let info = try await self.task.getErrorInfo(task)
                throw XenAPIError(errorDescription: info)
            }
        }
    }

    /// Waits for `task` and reads its result as an `R` (a ref for `Async.VM.clone`, say).
    public func result<R: XenValue>(of task: Ref<Task>, as type: R.Type = R.self) async throws -> R {
        try R(rpcValue: try await result(of: task), field: "result")
    }

    /// xapi stores a task's result as one XML-RPC `<value>` fragment (or nothing for a void call).
    static func decodeResult(_ text: String) throws -> RPCValue {
        guard !text.isEmpty else { return .string("") }
        let response = "<methodResponse><params><param>" + text + "</param></params></methodResponse>"
        return try XMLRPCDecoder.decodeResponse(Array(response.utf8))
    }
}
