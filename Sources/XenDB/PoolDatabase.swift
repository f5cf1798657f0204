public import XenAPI
public import XenAPIModel
import Synchronization

/// The pool database: the authoritative in-memory snapshot, one writer at a time, and every
/// commit journalled through `Persistence` before anyone sees it.
///
/// Commits are grouped: a writer applies its transaction to the working state at once, then
/// waits until its generation is durable. Whoever finds no flush running becomes the leader and
/// writes every queued record in one persistence call (one fsync for many writers); the others
/// wait and are woken together, or handed the leadership for the next batch. Readers (and
/// `event.from`) see only durable states, so nothing a client observed can vanish in a crash.
public final class PoolDatabase: Sendable {
    private enum Wakeup: Sendable {
        case durable
        case lead
        case failed(String)
    }

    private struct PendingCommit: Sendable {
        var record: JournalRecord
        var snapshot: Snapshot
    }

    private struct State: Sendable {
        /// What writers build on: includes commits not yet durable.
        var working: Snapshot
        /// What readers see: the newest durable state.
        var published: Snapshot
        var pending: [PendingCommit] = []
        var flushing = false
        var durabilityWaiters: [(generation: Int64, continuation: CheckedContinuation<Wakeup, Never>)] = []
        var commitWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var cancelledWaiters: Set<Int> = []
        var nextWaiter = 0
        var recordsSinceSnapshot = 0
        /// Set when persistence failed: the database refuses writes from then on.
        var failure: String?
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
        self.state = Mutex(State(working: snapshot, published: snapshot, recordsSinceSnapshot: journal.count))
    }

    /// The newest durable snapshot; reading it never blocks writers.
    public var snapshot: Snapshot { state.withLock { $0.published } }

    /// Runs `body` as the single writer. Throwing discards every change; returning commits them,
    /// and the call returns once they are durable and published (waking `event.from` waiters).
    @discardableResult
    public func write<T>(_ body: (inout Transaction) throws(XenAPIError) -> T) async throws(XenAPIError) -> T {
        let (result, generation, lead, woken) = try state.withLock {
            (state: inout State) throws(XenAPIError) -> (T, Int64?, Bool, [CheckedContinuation<Void, Never>]) in
            if let failure = state.failure { throw XenAPIError.internalError(message: failure) }
            var transaction = Transaction(snapshot: state.working)
            let result = try body(&transaction)
            guard !transaction.isEmpty else { return (result, nil, false, []) }
            let persisted = transaction.changes.filter { schema[$0.className]?.model.persisted == true }
            var committed = transaction.sealed()
            if committed.tombstones.count > Self.tombstoneLimit {
                committed.tombstones.removeFirst(committed.tombstones.count - Self.tombstoneLimit)
            }
            state.working = committed
            if persisted.isEmpty && state.pending.isEmpty && !state.flushing {
                // Nothing to make durable and nothing ahead of it: publish at once.
                return (result, nil, false, publish(committed, in: &state))
            }
            state.pending.append(
                PendingCommit(record: JournalRecord(generation: committed.generation, changes: persisted), snapshot: committed))
            let lead = !state.flushing
            state.flushing = true
            return (result, committed.generation, lead, [])
        }
        for waiter in woken { waiter.resume() }
        guard let generation else { return result }
        var wakeup: Wakeup = lead ? .lead : .durable
        if !lead { wakeup = await waitUntilDurable(generation) }
        while true {
            switch wakeup {
            case .durable: return result
            case .failed(let reason): throw XenAPIError.internalError(message: reason)
            case .lead:
                await flushOneBatch()
                wakeup = await waitUntilDurable(generation)
            }
        }
    }

    /// Registers for the moment `generation` is durable; becomes the leader when no flush runs,
    /// and a running leader may hand over leadership instead.
    private func waitUntilDurable(_ generation: Int64) async -> Wakeup {
        await withCheckedContinuation { (continuation: CheckedContinuation<Wakeup, Never>) in
            let immediate = state.withLock { state -> Wakeup? in
                if let failure = state.failure { return .failed(failure) }
                if state.published.generation >= generation { return .durable }
                if !state.flushing {
                    state.flushing = true
                    return .lead
                }
                state.durabilityWaiters.append((generation, continuation))
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// Writes every queued record in one persistence call, publishes the result, wakes the
    /// writers it covered, and hands leadership to a waiter if more records queued meanwhile.
    private func flushOneBatch() async {
        let batch = state.withLock { state -> [PendingCommit] in
            let batch = state.pending
            state.pending.removeAll()
            return batch
        }
        guard let last = batch.last else {
            state.withLock { $0.flushing = false }
            return
        }
        let records = batch.map(\.record).filter { !$0.changes.isEmpty }
        var failure: String?
        do {
            if !records.isEmpty { try await persistence.append(records) }
        } catch {
            failure = "database write failed: \(error)"
        }
        var wake: [(CheckedContinuation<Wakeup, Never>, Wakeup)] = []
        var commitWaiters: [CheckedContinuation<Void, Never>] = []
        var snapshotToWrite: Snapshot?
        state.withLock { state in
            if let failure {
                state.failure = failure
                state.working = state.published
                state.pending.removeAll()
                state.flushing = false
                wake = state.durabilityWaiters.map { ($0.continuation, .failed(failure)) }
                state.durabilityWaiters.removeAll()
                return
            }
            state.recordsSinceSnapshot += records.count
            commitWaiters = publish(last.snapshot, in: &state)
            if state.recordsSinceSnapshot >= snapshotInterval {
                snapshotToWrite = last.snapshot
                state.recordsSinceSnapshot = 0
            }
            let durable = last.snapshot.generation
            var remaining: [(generation: Int64, continuation: CheckedContinuation<Wakeup, Never>)] = []
            for waiter in state.durabilityWaiters {
                if waiter.generation <= durable { wake.append((waiter.continuation, .durable)) } else { remaining.append(waiter) }
            }
            if let next = remaining.first, !state.pending.isEmpty {
                // Hand the next batch to the oldest writer still waiting (its commit is in it).
                remaining.removeFirst()
                wake.append((next.continuation, .lead))
            } else {
                // No flush runs now; a writer that has not registered yet leads when it does.
                state.flushing = false
            }
            state.durabilityWaiters = remaining
        }
        for waiter in commitWaiters { waiter.resume() }
        for (continuation, wakeup) in wake { continuation.resume(returning: wakeup) }
        // A failed snapshot is harmless: the journal still holds every record.
        if let snapshotToWrite { try? persistence.writeSnapshot(SnapshotCoding.persisted(snapshotToWrite)) }
    }

    /// Makes `snapshot` the readers' view; returns the `waitForCommit` waiters to wake.
    @discardableResult
    private func publish(_ snapshot: Snapshot, in state: inout State) -> [CheckedContinuation<Void, Never>] {
        state.published = snapshot
        let woken = Array(state.commitWaiters.values)
        state.commitWaiters.removeAll()
        return woken
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
                    if state.published.generation > generation || state.cancelledWaiters.remove(id) != nil { return true }
                    state.commitWaiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let waiter = state.commitWaiters.removeValue(forKey: id) { return waiter }
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
