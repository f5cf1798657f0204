import Foundation
import Synchronization
import Testing
import XenAPI
import XenCore
import XenDB

/// A persistence whose appends take 2 ms of the seeded environment's virtual time (like an fsync
/// on a real disk) and that remembers every call.
final class SlowPersistence: Persistence {
    let inner = MemoryPersistence()
    let seeded = SeededEnvironment(seed: 7)
    let calls = Mutex<[[Int64]]>([])
    let failing = Mutex(false)

    func load() throws -> (snapshot: PersistedSnapshot?, journal: [JournalRecord]) { try inner.load() }

    func append(_ records: [JournalRecord]) async throws {
        try await seeded.environment.sleep(.milliseconds(2))
        if failing.withLock({ $0 }) { throw CocoaError(.fileWriteUnknown) }
        try await inner.append(records)
        calls.withLock { $0.append(records.map(\.generation)) }
    }

    func writeSnapshot(_ snapshot: PersistedSnapshot) throws { try inner.writeSnapshot(snapshot) }
    func loadGenerationCeiling() throws -> Int64 { try inner.loadGenerationCeiling() }
    func storeGenerationCeiling(_ ceiling: Int64) throws { try inner.storeGenerationCeiling(ceiling) }

    func durableGenerations() -> Set<Int64> { Set(calls.withLock { $0.flatMap { $0 } }) }
}

@Suite("Group commit")
struct GroupCommitTests {
    @Test("concurrent writers share flushes, and each returns only once its commit is durable and visible")
    func batching() async throws {
        let persistence = SlowPersistence()
        let db = try PoolDatabase(persistence: persistence)
        let writers = 40, writesEach = 10
        try await persistence.seeded.run {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for index in 0..<writesEach {
                            let ref = "OpaqueRef:\(writer)-\(index)"
                            let generation = try await db.write { (tx: inout Transaction) throws(XenAPIError) -> Int64 in
                                try tx.insert("network", ref: ref, fields: ["uuid": .string(ref), "name_label": "n"])
                                return tx.generation
                            }
                            #expect(persistence.durableGenerations().contains(generation), "acknowledged before durable")
                            #expect(db.snapshot.contains("network", ref), "acknowledged before visible")
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let calls = persistence.calls.withLock { $0 }
        #expect(calls.flatMap { $0 } == Array(1...Int64(writers * writesEach)), "journal order is commit order")
        #expect(calls.count < writers * writesEach / 4, "\(calls.count) flushes for \(writers * writesEach) commits")
        let reopened = try PoolDatabase(persistence: persistence.inner)
        #expect(reopened.snapshot.count("network") == writers * writesEach)
    }

    @Test("a failed flush fails the write, publishes nothing, and refuses later writes")
    func failure() async throws {
        let persistence = SlowPersistence()
        let db = try PoolDatabase(persistence: persistence)
        try await persistence.seeded.run { try await failure(db, persistence) }
    }

    private func failure(_ db: PoolDatabase, _ persistence: SlowPersistence) async throws {
        try await db.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.insert("network", ref: "OpaqueRef:ok", fields: ["uuid": "ok", "name_label": "ok"])
        }
        persistence.failing.withLock { $0 = true }
        let generation = db.snapshot.generation
        async let waiter: Void = db.waitForCommit(after: generation)
        await #expect(throws: XenAPIError.self) {
            try await db.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.insert("network", ref: "OpaqueRef:lost", fields: ["uuid": "lost", "name_label": "lost"])
            }
        }
        await waiter  // released: nothing will ever commit again
        #expect(db.failure != nil)
        #expect(db.snapshot.generation == generation)
        #expect(!db.snapshot.contains("network", "OpaqueRef:lost"))
        #expect(db.snapshot.contains("network", "OpaqueRef:ok"))
        persistence.failing.withLock { $0 = false }
        await #expect(throws: XenAPIError.self) {
            try await db.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.set("network", ref: "OpaqueRef:ok", field: "name_label", value: "later")
            }
        }
    }
}
