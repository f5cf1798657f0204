import Synchronization

/// The export requests go to, which can be held closed while the disk underneath is changed and
/// then reopened on another export, as tapdisk is paused while SM snapshots a disk in use:
/// requests already under way finish first, new ones wait (the client sees a slow disk), and the
/// ones that waited go to the export it reopens with. Every server of one disk shares its gate.
public final class NBDExportGate: Sendable {
    private struct State {
        var export: any NBDExport
        var closed = false
        /// Shut for good: its disk is gone (`end`).
        var ended = false
        /// Requests under way.
        var active = 0
        /// Requests waiting for the gate to open.
        var waiting: [CheckedContinuation<Void, Never>] = []
        /// A close waiting for the requests under way.
        var drained: CheckedContinuation<Void, Never>?
    }

    private let state: Mutex<State>

    public init(_ export: any NBDExport) {
        state = Mutex(State(export: export))
    }

    /// The export requests go to now (or will, once the gate opens).
    public var export: any NBDExport { state.withLock { $0.export } }

    /// Whether requests are held back.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Waits until the gate is open, then counts a request under way; returns the export to
    /// use, or `nil` once the gate has ended. Each export returned is matched by a `leave`.
    func enter() async -> (any NBDExport)? {
        while true {
            let entered: (any NBDExport)?? = state.withLock { state in
                if state.ended { return .some(nil) }
                guard !state.closed else { return nil }
                state.active += 1
                return .some(state.export)
            }
            if let entered { return entered }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waits = state.withLock { state in
                    guard state.closed, !state.ended else { return false }
                    state.waiting.append(continuation)
                    return true
                }
                if !waits { continuation.resume() }
            }
        }
    }

    /// A request is done.
    func leave() {
        let drained = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.active -= 1
            guard state.active == 0 else { return nil }
            defer { state.drained = nil }
            return state.drained
        }
        drained?.resume()
    }

    /// Holds back new requests and waits for those under way; returns the export they used,
    /// now idle (to be flushed and closed). One close at a time: the caller owns the pause.
    public func close() async -> any NBDExport {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                precondition(state.drained == nil, "two closes of one NBD export gate at once")
                state.closed = true
                guard state.active > 0 else { return true }
                state.drained = continuation
                return false
            }
            if idle { continuation.resume() }
        }
        return export
    }

    /// Ends the gate for good (its disk is gone): requests waiting, and any that come, are
    /// turned away.
    public func end() {
        let waiting = state.withLock { state in
            state.ended = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Lets requests through again, to `export` (a disk reopened after the change; it must be
    /// the same size).
    public func open(with export: any NBDExport) {
        let waiting = state.withLock { state in
            state.export = export
            state.closed = false
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}
