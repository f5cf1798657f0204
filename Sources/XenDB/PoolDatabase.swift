public import XenAPI
public import XenAPIModel
import Synchronization

/// The pool database: the authoritative in-memory snapshot, one writer at a time, and every
/// commit to a persisted class journalled through `Persistence` before anyone sees it.
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
        /// Generations up to this one may be handed out; it is durable, so after a restart the
        /// counter resumes above every generation (and event token) issued before.
        var generationCeiling: Int64
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
    /// How far each durable raise of the generation ceiling reaches.
    private static let generationReservation: Int64 = 10_000

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
            var transaction = Transaction(snapshot: snapshot, generation: record.generation)
            for change in record.changes { try transaction.apply(change) }
            snapshot = transaction.sealed()
        }
        // A journal replayed in commit order can insert an object before one it points at (a
        // restored dump does): the computed sets are rebuilt from the refs.
        if !journal.isEmpty { SnapshotCoding.rebuildRelations(&snapshot) }
        // Resume above anything handed out before the stop, durably, before serving.
        snapshot.generation = max(snapshot.generation, try persistence.loadGenerationCeiling())
        let ceiling = snapshot.generation + Self.generationReservation
        try persistence.storeGenerationCeiling(ceiling)
        self.state = Mutex(
            State(
                working: snapshot, published: snapshot, recordsSinceSnapshot: journal.count,
                generationCeiling: ceiling))
    }

    /// The newest durable snapshot. Reading it waits at most for a transaction body that is
    /// running (never for I/O).
    public var snapshot: Snapshot { state.withLock { $0.published } }

    /// Runs `body` as the single writer. Throwing discards every change; returning commits them,
    /// and the call returns once they are durable and published (waking `event.from` waiters).
    /// A body that changes nothing, or throws, still returns only once the state it read is durable.
    @discardableResult
    public func write<T>(_ body: (inout Transaction) throws(XenAPIError) -> T) async throws(XenAPIError) -> T {
        let (outcome, generation, lead, woken) = try state.withLock {
            (state: inout State) throws(XenAPIError) -> (
                Result<T, XenAPIError>, Int64?, Bool, [CheckedContinuation<Void, Never>]
            ) in
            if let failure = state.failure { throw XenAPIError.internalError(message: failure) }
            let readGeneration = state.working.generation > state.published.generation ? state.working.generation : nil
            var transaction = Transaction(snapshot: state.working)
            let result: T
            do throws(XenAPIError) {
                result = try body(&transaction)
            } catch {
                return (.failure(error), readGeneration, false, [])
            }
            guard !transaction.isEmpty else { return (.success(result), readGeneration, false, []) }
            let persisted = transaction.changes.filter { schema[$0.className]?.model.persisted == true }
            var committed = transaction.sealed()
            if committed.generation > state.generationCeiling {
                do {
                    try persistence.storeGenerationCeiling(committed.generation + Self.generationReservation)
                } catch {
                    throw XenAPIError.internalError(message: "database write failed: \(error)")
                }
                state.generationCeiling = committed.generation + Self.generationReservation
            }
            committed.tombstones.trim(keeping: Self.tombstoneLimit)
            state.working = committed
            if persisted.isEmpty && state.pending.isEmpty && !state.flushing {
                // Nothing to make durable and nothing ahead of it: publish at once.
                return (.success(result), nil, false, publish(committed, in: &state))
            }
            state.pending.append(
                PendingCommit(record: JournalRecord(generation: committed.generation, changes: persisted), snapshot: committed))
            let lead = !state.flushing
            state.flushing = true
            return (.success(result), committed.generation, lead, [])
        }
        for waiter in woken { waiter.resume() }
        if let generation {
            var wakeup: Wakeup = lead ? .lead : await waitUntilDurable(generation)
            while true {
                switch wakeup {
                case .durable: return try outcome.get()
                case .failed(let reason): throw XenAPIError.internalError(message: reason)
                case .lead:
                    await flushOneBatch()
                    wakeup = await waitUntilDurable(generation)
                }
            }
        }
        return try outcome.get()
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

    /// Writes every queued record in one persistence call (and a snapshot when one is due, still
    /// as the only flusher), publishes the result, wakes the writers it covered, and hands
    /// leadership to a waiter if more records queued meanwhile.
    private func flushOneBatch() async {
        let (batch, snapshotDue) = state.withLock { state -> ([PendingCommit], Bool) in
            let batch = state.pending
            state.pending.removeAll()
            let records = batch.count { !$0.record.changes.isEmpty }
            return (batch, state.recordsSinceSnapshot + records >= snapshotInterval)
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
        // A failed snapshot is harmless: the journal still holds every record.
        let snapshotWritten = failure == nil && snapshotDue
            && (try? persistence.writeSnapshot(SnapshotCoding.persisted(last.snapshot))) != nil
        var wake: [(CheckedContinuation<Wakeup, Never>, Wakeup)] = []
        var commitWaiters: [CheckedContinuation<Void, Never>] = []
        state.withLock { state in
            if let failure {
                state.failure = failure
                state.working = state.published
                state.pending.removeAll()
                state.flushing = false
                wake = state.durabilityWaiters.map { ($0.continuation, .failed(failure)) }
                state.durabilityWaiters.removeAll()
                // Nothing will commit any more: release everyone waiting for a commit too.
                commitWaiters = state.commitWaiters.sorted { $0.key < $1.key }.map(\.value)
                state.commitWaiters.removeAll()
                return
            }
            state.recordsSinceSnapshot = snapshotWritten ? 0 : state.recordsSinceSnapshot + records.count
            commitWaiters = publish(last.snapshot, in: &state)
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
    }

    /// Makes `snapshot` the readers' view; returns the `waitForCommit` waiters to wake, oldest first.
    private func publish(_ snapshot: Snapshot, in state: inout State) -> [CheckedContinuation<Void, Never>] {
        state.published = snapshot
        let woken = state.commitWaiters.sorted { $0.key < $1.key }.map(\.value)
        state.commitWaiters.removeAll()
        return woken
    }

    /// Why the database stopped accepting writes, if it did (a failed flush).
    public var failure: String? { state.withLock { $0.failure } }

    /// Suspends until a commit newer than `generation` is published (at once if one already is,
    /// or if the database has failed and nothing will commit again), or the calling task is cancelled.
    public func waitForCommit(after generation: Int64) async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.published.generation > generation || state.failure != nil
                        || state.cancelledWaiters.remove(id) != nil
                    { return true }
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
        // A cancellation that arrived after the wake-up left a mark nobody will consume.
        _ = state.withLock { $0.cancelledWaiters.remove(id) }
    }

    /// Writes a full snapshot of the durable state now (on clean shutdown, so the next start
    /// replays nothing). An older image never replaces a newer one.
    public func checkpoint() throws {
        let snapshot = self.snapshot
        try persistence.writeSnapshot(SnapshotCoding.persisted(snapshot))
        state.withLock { $0.recordsSinceSnapshot = 0 }
    }
}
