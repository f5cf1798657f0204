public import XenAPI
public import XenAPIModel
import Synchronization

/// The pool database: the authoritative in-memory snapshot, one writer at a time, every commit
/// journalled through `Persistence` before it becomes visible, and waiters woken on commit.
public final class PoolDatabase: Sendable {
    private struct State: Sendable {
        var snapshot: Snapshot
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var cancelledWaiters: Set<Int> = []
        var nextWaiter = 0
        var recordsSinceSnapshot = 0
    }

    public let schema: DatabaseSchema
    private let persistence: any Persistence
    private let state: Mutex<State>
    /// How many journal records accumulate before a full snapshot is written.
    private let snapshotInterval: Int
    /// How many tombstones are kept for `event.from`.
    private static let tombstoneLimit = 65_536

    /// Opens the database, restoring the persisted snapshot and replaying the journal after it.
    public init(model: DataModel = .current, persistence: any Persistence, snapshotInterval: Int = 10_000) throws {
        let schema = DatabaseSchema(model: model)
        self.schema = schema
        self.persistence = persistence
        self.snapshotInterval = snapshotInterval
        let (stored, journal) = try persistence.load()
        var snapshot = Snapshot(schema: schema)
        if let stored { snapshot = SnapshotCoding.restore(stored, schema: schema) }
        for record in journal where record.generation > snapshot.generation {
            var transaction = Transaction(snapshot: snapshot)
            for change in record.changes { try? transaction.apply(change) }
            snapshot = transaction.sealed()
            snapshot.generation = record.generation
        }
        self.state = Mutex(State(snapshot: snapshot, recordsSinceSnapshot: journal.count))
    }

    /// The current snapshot; reading it never blocks writers.
    public var snapshot: Snapshot { state.withLock { $0.snapshot } }

    /// Runs `body` as the single writer. Throwing discards every change; returning commits them:
    /// they are made durable first, then published, then `event.from` waiters are woken.
    @discardableResult
    public func write<T>(_ body: (inout Transaction) throws(XenAPIError) -> T) throws(XenAPIError) -> T {
        let (result, woken): (T, [CheckedContinuation<Void, Never>]) = try state.withLock {
            (state: inout State) throws(XenAPIError) in
            var transaction = Transaction(snapshot: state.snapshot)
            let result = try body(&transaction)
            guard !transaction.isEmpty else { return (result, []) }
            let persisted = transaction.changes.filter { schema[$0.className]?.model.persisted == true }
            if !persisted.isEmpty {
                do {
                    try persistence.append(JournalRecord(generation: transaction.generation, changes: persisted))
                } catch {
                    throw XenAPIError(code: "INTERNAL_ERROR", parameters: ["database write failed: \(error)"])
                }
                state.recordsSinceSnapshot += 1
            }
            var published = transaction.sealed()
            if published.tombstones.count > Self.tombstoneLimit {
                published.tombstones.removeFirst(published.tombstones.count - Self.tombstoneLimit)
            }
            state.snapshot = published
            if state.recordsSinceSnapshot >= snapshotInterval {
                // A failed snapshot is harmless: the journal still holds every record.
                if (try? persistence.writeSnapshot(SnapshotCoding.persisted(published))) != nil {
                    state.recordsSinceSnapshot = 0
                }
            }
            let woken = Array(state.waiters.values)
            state.waiters.removeAll()
            return (result, woken)
        }
        for waiter in woken { waiter.resume() }
        return result
    }

    /// Suspends until a commit newer than `generation` is published (at once if one already is),
    /// or the calling task is cancelled.
    public func waitForCommit(after generation: Int64) async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.snapshot.generation > generation || state.cancelledWaiters.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                state.cancelledWaiters.insert(id)
                return nil
            }
            waiter?.resume()
        }
    }

    /// Writes a full snapshot now (on clean shutdown, so the next start replays nothing).
    public func checkpoint() throws {
        let snapshot = self.snapshot
        try persistence.writeSnapshot(SnapshotCoding.persisted(snapshot))
        state.withLock { $0.recordsSinceSnapshot = 0 }
    }
}
