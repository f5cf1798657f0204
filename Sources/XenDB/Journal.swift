public import Collections
import Synchronization
public import XenRPC

/// One change inside a commit, as the journal records it.
public enum JournalChange: Sendable, Hashable {
    /// A new object with every field, by wire name.
    case insert(className: String, ref: String, fields: OrderedDictionary<String, RPCValue>)
    case set(className: String, ref: String, field: String, value: RPCValue)
    case delete(className: String, ref: String)

    public var className: String {
        switch self {
        case .insert(let name, _, _), .set(let name, _, _, _), .delete(let name, _): name
        }
    }
}

/// Everything one commit changed, stamped with the generation it produced.
public struct JournalRecord: Sendable, Hashable {
    public var generation: Int64
    public var changes: [JournalChange]

    public init(generation: Int64, changes: [JournalChange]) {
        self.generation = generation
        self.changes = changes
    }
}

/// A whole database image: the rows of every persisted class at one generation, and the
/// recent deletions `event.from` still reports.
public struct PersistedSnapshot: Sendable, Hashable {
    public var generation: Int64
    /// class → ref → (created, modified, fields by wire name).
    public var tables: [String: [String: PersistedRow]]
    public var tombstones: [Tombstone]

    public init(generation: Int64, tables: [String: [String: PersistedRow]], tombstones: [Tombstone] = []) {
        self.generation = generation
        self.tables = tables
        self.tombstones = tombstones
    }
}

/// One row in a persisted snapshot.
public struct PersistedRow: Sendable, Hashable {
    public var created: Int64
    public var modified: Int64
    public var fields: OrderedDictionary<String, RPCValue>

    public init(created: Int64, modified: Int64, fields: OrderedDictionary<String, RPCValue>) {
        self.created = created
        self.modified = modified
        self.fields = fields
    }
}

/// Where commits become durable. `append` returns only once the record is safe, so a call
/// acknowledged to a client survives a crash.
public protocol Persistence: Sendable {
    /// The newest snapshot (if any) and the journal records after it, oldest first.
    func load() throws -> (snapshot: PersistedSnapshot?, journal: [JournalRecord])
    /// Makes a batch of commits durable, all or nothing, in order. Implementations should not
    /// hold a concurrency-pool thread through long I/O for large batches.
    func append(_ records: [JournalRecord]) async throws
    /// Stores a full image and drops the journal records it covers; an image older than the
    /// stored one is ignored.
    func writeSnapshot(_ snapshot: PersistedSnapshot) throws
    /// The highest generation the database may have handed out before it stopped.
    func loadGenerationCeiling() throws -> Int64
    /// Durably raises that ceiling (rarely: once every few thousand commits).
    func storeGenerationCeiling(_ ceiling: Int64) throws
}

/// Keeps everything in memory: for tests and for pools that need no durability.
public final class MemoryPersistence: Persistence {
    private struct Stored {
        var snapshot: PersistedSnapshot?
        var journal: [JournalRecord] = []
        var ceiling: Int64 = 0
    }
    private let stored = Mutex(Stored())

    public init() {}

    public func load() throws -> (snapshot: PersistedSnapshot?, journal: [JournalRecord]) {
        stored.withLock { ($0.snapshot, $0.journal) }
    }

    public func append(_ records: [JournalRecord]) async throws {
        stored.withLock { $0.journal.append(contentsOf: records) }
    }

    public func writeSnapshot(_ snapshot: PersistedSnapshot) throws {
        stored.withLock {
            guard snapshot.generation > ($0.snapshot?.generation ?? -1) else { return }
            $0.snapshot = snapshot
            $0.journal.removeAll { $0.generation <= snapshot.generation }
        }
    }

    public func loadGenerationCeiling() throws -> Int64 { stored.withLock { $0.ceiling } }

    public func storeGenerationCeiling(_ ceiling: Int64) throws { stored.withLock { $0.ceiling = ceiling } }
}

