import NIOConcurrencyHelpers

/// A QEMU event: its name (`STOP`, `SHUTDOWN`, `DEVICE_DELETED`…) and data.
public struct QMPEvent: Sendable, Hashable {
    public var name: String
    public var data: JSONValue

    public init(name: String, data: JSONValue) {
        self.name = name
        self.data = data
    }
}

/// A connection to one QEMU's QMP socket (QEMU serves one client at a time): the greeting and
/// capabilities negotiation, commands with deadlines, and the events, in the order QEMU sent them.
public final class QMPClient: Sendable {
    private let channel: JSONCommandChannel
    /// The events; it finishes when the connection ends.
    public let events: AsyncStream<QMPEvent>
    private let eventSink: AsyncStream<QMPEvent>.Continuation
    private let greeting = NIOLockedValueBox<JSONValue?>(nil)

    private init(sleep: @escaping @Sendable (Duration) async throws -> Void) {
        channel = JSONCommandChannel(sleep: sleep)
        (events, eventSink) = AsyncStream.makeStream(of: QMPEvent.self)
    }

    /// Connects to the socket at `path` and leaves negotiation mode; `sleep` measures deadlines.
    public static func connect(
        path: String, sleep: @escaping @Sendable (Duration) async throws -> Void, timeout: Duration = .seconds(10)
    ) async throws(QMPError) -> QMPClient {
        let client = QMPClient(sleep: sleep)
        let sink = client.eventSink
        let greeting = client.greeting
        try await client.channel.connect(
            path: path,
            other: { value in
                if let name = value["event"]?.stringValue {
                    sink.yield(QMPEvent(name: name, data: value["data"] ?? .null))
                } else if value["QMP"] != nil {
                    greeting.withLockedValue { $0 = value }
                }
            },
            closed: { sink.finish() })
        do {
            // Commands are refused until capabilities are negotiated, and answered in order after
            // the greeting, so this reply also means the greeting has come.
            _ = try await client.channel.execute("qmp_capabilities", nil, timeout: timeout)
        } catch {
            client.close()
            throw error
        }
        return client
    }

    /// QEMU's version as its greeting gave it (`major.minor.micro`).
    public var qemuVersion: String? {
        guard let version = greeting.withLockedValue({ $0 })?["QMP"]?["version"]?["qemu"] else { return nil }
        let parts = ["major", "minor", "micro"].compactMap { version[$0]?.intValue }
        return parts.count == 3 ? parts.map(String.init).joined(separator: ".") : nil
    }

    /// Runs `command` and returns its `return` value.
    @discardableResult
    public func execute(_ command: String, _ arguments: JSONValue? = nil, timeout: Duration = .seconds(30)) async throws(QMPError)
        -> JSONValue
    {
        try await channel.execute(command, arguments, timeout: timeout)
    }

    /// The run state (`query-status`): `prelaunch`, `running`, `paused`, `shutdown`, `inmigrate`,
    /// `postmigrate`, `internal-error`…
    public func status() async throws(QMPError) -> String {
        let reply = try await execute("query-status")
        guard let status = reply["status"]?.stringValue else { throw .protocolViolation("query-status without a status") }
        return status
    }

    /// Closes the connection (QEMU goes on running).
    public func close() {
        channel.close()
        eventSink.finish()
    }
}
