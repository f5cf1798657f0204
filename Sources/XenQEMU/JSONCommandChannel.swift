import NIOConcurrencyHelpers

/// Commands and their replies over a `JSONLineConnection`, as QMP and the guest agent both
/// frame them: each command carries an `"id"` the reply echoes, so replies are matched however
/// events and other lines are interleaved with them. Lines that are not replies go to `other`.
final class JSONCommandChannel: Sendable {
    private struct State {
        var nextID: Int64 = 1
        var pending: [Int64: CheckedContinuation<JSONValue, any Error>] = [:]
        /// Commands given up (timed out, cancelled) before their continuation was stored.
        var abandoned: Set<Int64> = []
        var closed = false
    }

    private let state = NIOLockedValueBox(State())
    private let connection: NIOLockedValueBox<JSONLineConnection?> = NIOLockedValueBox(nil)
    private let sleep: @Sendable (Duration) async throws -> Void

    /// A channel whose waits are measured by `sleep` (the environment's).
    init(sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.sleep = sleep
    }

    /// Connects to `path`; lines that are not replies to a command go to `other`, and `closed`
    /// is called when the connection ends.
    func connect(
        path: String, other: @escaping @Sendable (JSONValue) -> Void, closed: @escaping @Sendable () -> Void
    ) async throws(QMPError) {
        let made = try await JSONLineConnection.connect(
            path: path,
            receive: { [weak self] line in self?.receive(line, other: other) },
            closed: { [weak self] in
                self?.fail(with: .closed)
                closed()
            })
        connection.withLockedValue { $0 = made }
    }

    /// Sends `command` and waits up to `timeout` for its reply's `return` value.
    func execute(_ command: String, _ arguments: JSONValue?, timeout: Duration) async throws(QMPError) -> JSONValue {
        let id = state.withLockedValue { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        var message: [String: JSONValue] = ["execute": .string(command), "id": .int(id)]
        if let arguments { message["arguments"] = arguments }
        let line = JSONValue.object(message).line() + [0x0A]
        do {
            return try await withThrowingTaskGroup(of: JSONValue.self) { group in
                group.addTask { try await self.reply(to: id, sending: line) }
                group.addTask {
                    try await self.sleep(timeout)
                    throw QMPError.timedOut(command: command)
                }
                defer { group.cancelAll() }
                guard let reply = try await group.next() else { throw QMPError.closed }
                return reply
            }
        } catch QMPError.commandFailed(_, let errorClass, let description) {
            throw .commandFailed(command: command, errorClass: errorClass, description: description)
        } catch let error as QMPError {
            throw error
        } catch {
            throw .timedOut(command: command)
        }
    }

    /// Sends a command that is never answered (the agent's `guest-shutdown`).
    func send(_ command: String, _ arguments: JSONValue?) throws(QMPError) {
        var message: [String: JSONValue] = ["execute": .string(command)]
        if let arguments { message["arguments"] = arguments }
        try write(JSONValue.object(message).line() + [0x0A])
    }

    /// Writes raw bytes.
    func write(_ bytes: [UInt8]) throws(QMPError) {
        guard let connection = connection.withLockedValue({ $0 }), !state.withLockedValue({ $0.closed }) else {
            throw .closed
        }
        connection.write(bytes) { [weak self] in self?.fail(with: .closed) }
    }

    /// Closes the connection; waiting commands fail with `closed`.
    func close() {
        connection.withLockedValue { $0 }?.close()
        fail(with: .closed)
    }

    private func reply(to id: Int64, sending line: [UInt8]) async throws -> JSONValue {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONValue, any Error>) in
                let refusal: QMPError? = state.withLockedValue { state in
                    if state.closed { return .closed }
                    if state.abandoned.remove(id) != nil { return .timedOut(command: "") }
                    state.pending[id] = continuation
                    return nil
                }
                if let refusal {
                    continuation.resume(throwing: refusal)
                    return
                }
                do { try write(line) } catch { take(id)?.resume(throwing: error) }
            }
        } onCancel: {
            let waiting = state.withLockedValue { state in
                let waiting = state.pending.removeValue(forKey: id)
                if waiting == nil { state.abandoned.insert(id) }
                return waiting
            }
            waiting?.resume(throwing: CancellationError())
        }
    }

    private func take(_ id: Int64) -> CheckedContinuation<JSONValue, any Error>? {
        state.withLockedValue { $0.pending.removeValue(forKey: id) }
    }

    private func receive(_ line: [UInt8], other: (JSONValue) -> Void) {
        // The agent answers a resynchronisation with a 0xFF byte before the JSON.
        guard let value = try? JSONValue.parse(line.drop { $0 == 0xFF }) else { return }
        guard let id = value["id"]?.intValue, let waiting = take(id) else {
            other(value)
            return
        }
        if let result = value["return"] {
            waiting.resume(returning: result)
        } else if let error = value["error"] {
            waiting.resume(
                throwing: QMPError.commandFailed(
                    command: "", errorClass: error["class"]?.stringValue ?? "", description: error["desc"]?.stringValue ?? ""))
        } else {
            waiting.resume(throwing: QMPError.protocolViolation("a reply with neither return nor error"))
        }
    }

    private func fail(with error: QMPError) {
        let waiting = state.withLockedValue { state in
            state.closed = true
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        for continuation in waiting { continuation.resume(throwing: error) }
    }
}
