import Foundation
import GRDB
public import XenDB

/// Persists the pool database in one SQLite file (WAL, `synchronous=FULL`): a journal table with
/// one row per commit and a snapshot table holding the latest full image.
public final class SQLitePersistence: Persistence {
    private let queue: DatabaseQueue

    /// Opens (creating if needed) the database file at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
        }
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "journal") { table in
                table.primaryKey("generation", .integer)
                table.column("changes", .text).notNull()
            }
            try db.create(table: "snapshot") { table in
                table.primaryKey("id", .integer)
                table.column("generation", .integer).notNull()
                table.column("image", .text).notNull()
            }
        }
        migrator.registerMigration("v2: generation ceiling") { db in
            try db.create(table: "meta") { table in
                table.primaryKey("key", .text)
                table.column("value", .integer).notNull()
            }
        }
        try migrator.migrate(queue)
    }

    public func load() throws -> (snapshot: PersistedSnapshot?, journal: [JournalRecord]) {
        try queue.read { db in
            var snapshot: PersistedSnapshot?
            if let row = try GRDB.Row.fetchOne(db, sql: "SELECT image FROM snapshot WHERE id = 1") {
                snapshot = try JournalCoding.decodeSnapshot(row["image"])
            }
            let after = snapshot?.generation ?? 0
            let rows = try GRDB.Row.fetchAll(
                db, sql: "SELECT generation, changes FROM journal WHERE generation > ? ORDER BY generation", arguments: [after])
            let journal = try rows.map { row in
                JournalRecord(generation: row["generation"], changes: try JournalCoding.decodeChanges(row["changes"]))
            }
            return (snapshot, journal)
        }
    }

    public func append(_ records: [JournalRecord]) async throws {
        let rows = records.map { ($0.generation, JournalCoding.encode($0.changes)) }
        let insert: @Sendable (Database) throws -> Void = { db in
            let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO journal (generation, changes) VALUES (?, ?)")
            for (generation, text) in rows { try statement.execute(arguments: [generation, text]) }
        }
        if rows.count == 1 {
            // A lone commit means no writer queued behind it: writing in place saves two thread hops.
            try writeInPlace(insert)
        } else {
            // A batch means contention: write on GRDB's own writer queue, off the concurrency pool,
            // so other requests keep being served during the fsync. The callback form is used on
            // purpose: the caller's cancellation must not abandon a flush other writers wait on.
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                queue.asyncWrite(insert) { _, result in continuation.resume(with: result) }
            }
        }
    }

    /// GRDB's blocking write, on the calling thread.
    private func writeInPlace(_ body: (Database) throws -> Void) throws {
        try queue.write(body)
    }

    public func writeSnapshot(_ snapshot: PersistedSnapshot) throws {
        let text = JournalCoding.encode(snapshot)
        try queue.write { db in
            // Never replace a newer image with an older one, and drop only what the stored image covers.
            try db.execute(
                sql: """
                    INSERT INTO snapshot (id, generation, image) VALUES (1, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET generation = excluded.generation, image = excluded.image
                    WHERE excluded.generation > snapshot.generation
                    """, arguments: [snapshot.generation, text])
            try db.execute(
                sql: "DELETE FROM journal WHERE generation <= (SELECT generation FROM snapshot WHERE id = 1)")
        }
    }

    public func loadGenerationCeiling() throws -> Int64 {
        try queue.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'generation_ceiling'") ?? 0 }
    }

    public func storeGenerationCeiling(_ ceiling: Int64) throws {
        try queue.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('generation_ceiling', ?)", arguments: [ceiling])
        }
    }
}
