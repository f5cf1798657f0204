public import XenAPI
public import XenRPC

/// One change reported by `event.from`.
public struct XenEvent: Sendable, Hashable {
    /// The object's class, lower-cased as xapi sends it (`vm`, `task`).
    public var className: String
    public var operation: EventOperation
    /// The object's reference.
    public var ref: String
    /// The object's record after the change (absent for `del`).
    public var snapshot: RPCValue?

    init(_ value: RPCValue) throws {
        className = value["class"]?.stringValue ?? ""
        operation = try EventOperation(rpcValue: value["operation"] ?? .nil, field: "operation")
        ref = value["ref"]?.stringValue ?? ""
        snapshot = value["snapshot"]
    }
}

/// `event.from` as an `AsyncSequence`: each call waits up to `timeout` seconds on the server,
/// and the sequence goes on from the token the last call returned, so no change is missed.
public struct XenEventStream: AsyncSequence, Sendable {
    public typealias Element = XenEvent
    let session: XenAPISession
    let classes: [String]
    let token: String
    let timeout: Double

    public func makeAsyncIterator() -> Iterator {
        Iterator(stream: self, token: token)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let stream: XenEventStream
        /// The token to continue from: where the events handed out so far end.
        public private(set) var token: String
        private var buffered: [XenEvent] = []

        init(stream: XenEventStream, token: String) {
            self.stream = stream
            self.token = token
        }

        public mutating func next() async throws -> XenEvent? {
            while buffered.isEmpty {
                try _Concurrency.Task.checkCancellation()
                let batch: RPCValue = try await stream.session.invoke(
                    "event.from", [.array(stream.classes.map(RPCValue.string)), .string(token), .double(stream.timeout)])
                token = batch["token"]?.stringValue ?? token
                buffered = try (batch["events"]?.arrayValue ?? []).map(XenEvent.init)
            }
            return buffered.removeFirst()
        }
    }
}

extension XenAPISession {
    /// The changes to `classes` (`["vm", "task/OpaqueRef:…"]`, or `["*"]`) after `token`
    /// (`""`: every existing object first, as `add`), as they happen.
    public func events(_ classes: [String], from token: String = "", timeout: Double = 30) -> XenEventStream {
        XenEventStream(session: self, classes: classes, token: token, timeout: timeout)
    }
}
