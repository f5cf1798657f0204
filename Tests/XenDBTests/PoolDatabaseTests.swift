import Foundation
import Testing
import XenAPI
import XenDB
import XenDBSQLite
import XenRPC

@Suite("Pool database")
struct PoolDatabaseTests {
    private func makeVM(_ tx: inout Transaction, _ ref: String, uuid: String) throws(XenAPIError) {
        try tx.insert("VM", ref: ref, fields: ["uuid": .string(uuid), "name_label": .string("vm \(uuid)")])
    }

    @Test("insert fills every field with its default, and the ref side of a relation fills the set side")
    func defaultsAndRelations() async throws {
        let db = try PoolDatabase(persistence: MemoryPersistence())
        try await db.write { (tx: inout Transaction) throws(XenAPIError) in
            try makeVM(&tx, "OpaqueRef:vm1", uuid: "u1")
            try tx.insert("VBD", ref: "OpaqueRef:vbd1", fields: ["uuid": "b1", "VM": "OpaqueRef:vm1"])
        }
        let snapshot = db.snapshot
        #expect(snapshot.value("VM", "OpaqueRef:vm1", "power_state") == "Halted")
        #expect(snapshot.value("VM", "OpaqueRef:vm1", "affinity") == "OpaqueRef:NULL")
        #expect(snapshot.value("VM", "OpaqueRef:vm1", "VBDs") == ["OpaqueRef:vbd1"])
        #expect(snapshot.value("VM", "OpaqueRef:vm1", "HVM_shadow_multiplier") == .double(1))
        #expect(snapshot.ref("VM", uuid: "u1") == "OpaqueRef:vm1")
        let record = try #require(snapshot.record("VM", "OpaqueRef:vm1")?.structureValue)
        #expect(record.count == snapshot.schema["VM"]!.fields.count)
    }

    @Test("moving the ref side moves set membership and marks both ends changed")
    func relationMove() async throws {
        let db = try PoolDatabase(persistence: MemoryPersistence())
        try await db.write { (tx: inout Transaction) throws(XenAPIError) in
            try makeVM(&tx, "OpaqueRef:a", uuid: "a")
            try makeVM(&tx, "OpaqueRef:b", uuid: "b")
            try tx.insert("VIF", ref: "OpaqueRef:vif", fields: ["uuid": "v", "VM": "OpaqueRef:a"])
        }
        let before = db.snapshot.generation
        try await db.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.set("VIF", ref: "OpaqueRef:vif", field: "VM", value: "OpaqueRef:b")
        }
        let snapshot = db.snapshot
        #expect(snapshot.generation == before + 1)
        #expect(snapshot.value("VM", "OpaqueRef:a", "VIFs") == [])
        #expect(snapshot.value("VM", "OpaqueRef:b", "VIFs") == ["OpaqueRef:vif"])
        #expect(snapshot.row("VM", "OpaqueRef:a")?.modified == before + 1)
        #expect(snapshot.row("VM", "OpaqueRef:b")?.modified == before + 1)
    }

    @Test("delete leaves a tombstone and clears the set side")
    func deleteTombstone() async throws {
        let db = try PoolDatabase(persistence: MemoryPersistence())
        try await db.write { (tx: inout Transaction) throws(XenAPIError) in
            try makeVM(&tx, "OpaqueRef:a", uuid: "a")
            try tx.insert("VIF", ref: "OpaqueRef:vif", fields: ["uuid": "v", "VM": "OpaqueRef:a"])
        }
        try await db.write { (tx: inout Transaction) throws(XenAPIError) in try tx.delete("VIF", ref: "OpaqueRef:vif") }
        let snapshot = db.snapshot
        #expect(!snapshot.contains("VIF", "OpaqueRef:vif"))
        #expect(snapshot.value("VM", "OpaqueRef:a", "VIFs") == [])
        #expect(snapshot.ref("VIF", uuid: "v") == nil)
        #expect(snapshot.tombstones.newest == Tombstone(className: "VIF", ref: "OpaqueRef:vif", created: 1, deleted: 2))
    }

    @Test("a write that throws changes nothing and publishes no generation")
    func rollback() async throws {
        let db = try PoolDatabase(persistence: MemoryPersistence())
        await #expect(throws: XenAPIError.self) {
            try await db.write { (tx: inout Transaction) throws(XenAPIError) in
                try makeVM(&tx, "OpaqueRef:a", uuid: "a")
                throw XenAPIError.internalError(message: "boom")
            }
        }
        #expect(db.snapshot.generation == 0)
        #expect(!db.snapshot.contains("VM", "OpaqueRef:a"))
    }

    @Test("reopening replays the journal, with and without a snapshot in between")
    func reload() async throws {
        let persistence = MemoryPersistence()
        do {
            let db = try PoolDatabase(persistence: persistence, snapshotInterval: 4)
            for index in 0..<5 {
                try await db.write { (tx: inout Transaction) throws(XenAPIError) in
                    try makeVM(&tx, "OpaqueRef:\(index)", uuid: "u\(index)")
                }
            }
            try await db.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.set("VM", ref: "OpaqueRef:1", field: "name_label", value: "renamed")
                try tx.delete("VM", ref: "OpaqueRef:2")
            }
        }
        let (snapshot, journal) = try persistence.load()
        #expect(snapshot?.generation == 4)
        #expect(journal.map(\.generation) == [5, 6])
        let reopened = try PoolDatabase(persistence: persistence)
        #expect(reopened.snapshot.generation >= 6)
        #expect(reopened.snapshot.row("VM", "OpaqueRef:1")?.modified == 6, "replay stamps rows with the journalled generation")
        #expect(reopened.snapshot.refs("VM") == ["OpaqueRef:0", "OpaqueRef:1", "OpaqueRef:3", "OpaqueRef:4"])
        #expect(reopened.snapshot.value("VM", "OpaqueRef:1", "name_label") == "renamed")
        #expect(reopened.snapshot.ref("VM", uuid: "u4") == "OpaqueRef:4")
    }

    @Test("non-persisted classes (sessions, tasks) are not journalled")
    func volatileClasses() async throws {
        let persistence = MemoryPersistence()
        let db = try PoolDatabase(persistence: persistence)
        try await db.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.insert("session", ref: "OpaqueRef:s", fields: ["uuid": "s"])
        }
        #expect(db.snapshot.contains("session", "OpaqueRef:s"))
        #expect(try persistence.load().journal.isEmpty)
        #expect(!(try PoolDatabase(persistence: persistence)).snapshot.contains("session", "OpaqueRef:s"))
    }

    @Test("an image from an older schema loads: missing fields default, unknown ones are dropped")
    func schemaUpgrade() async throws {
        let persistence = MemoryPersistence()
        try persistence.writeSnapshot(
            PersistedSnapshot(
                generation: 7,
                tables: [
                    "network": [
                        "OpaqueRef:n": PersistedRow(
                            created: 3, modified: 5,
                            fields: ["uuid": "n", "name_label": "old", "MTU": .int(9000), "retired_field": "x"])
                    ]
                ]))
        let db = try PoolDatabase(persistence: persistence)
        #expect(db.snapshot.generation == 7)
        #expect(db.snapshot.value("network", "OpaqueRef:n", "MTU") == .int(9000))
        #expect(db.snapshot.value("network", "OpaqueRef:n", "default_locking_mode") == "unlocked")
        #expect(db.snapshot.record("network", "OpaqueRef:n")?["retired_field"] == nil)
        #expect(db.snapshot.row("network", "OpaqueRef:n")?.modified == 5)
    }

    @Test("SQLite keeps every commit and the latest snapshot across reopening")
    func sqlite() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xapi-db-\(getpid())-\(#line)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("pool.db").path
        do {
            let db = try PoolDatabase(persistence: SQLitePersistence(path: path), snapshotInterval: 4)
            for index in 0..<10 {
                try await db.write { (tx: inout Transaction) throws(XenAPIError) in
                    try tx.insert(
                        "network", ref: "OpaqueRef:\(index)",
                        fields: ["uuid": .string("n\(index)"), "name_label": .string("net \(index)"), "MTU": .int(1500)])
                }
            }
            try await db.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.set("network", ref: "OpaqueRef:9", field: "other_config", value: ["k": "v"])
            }
        }
        let sqlite = try SQLitePersistence(path: path)
        try sqlite.writeSnapshot(PersistedSnapshot(generation: 2, tables: [:]))
        #expect(try sqlite.load().snapshot?.generation == 8, "an older image must not replace the newer one")
        let reopened = try PoolDatabase(persistence: sqlite)
        #expect(reopened.snapshot.generation >= 11)
        #expect(reopened.snapshot.count("network") == 10)
        #expect(reopened.snapshot.value("network", "OpaqueRef:9", "other_config") == ["k": "v"])
        #expect(reopened.snapshot.value("network", "OpaqueRef:3", "MTU") == .int(1500))
    }

    @Test("a waiter wakes on the next commit")
    func waiting() async throws {
        let db = try PoolDatabase(persistence: MemoryPersistence())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await db.waitForCommit(after: 0) }
            group.addTask {
                try await db.write { (tx: inout Transaction) throws(XenAPIError) in try makeVM(&tx, "OpaqueRef:a", uuid: "a") }
            }
            try await group.waitForAll()
        }
        #expect(db.snapshot.generation == 1)
        await db.waitForCommit(after: 0)  // already newer: returns at once
    }

    @Test("cancelling a waiter releases it")
    func cancelWaiter() async throws {
        let db = try PoolDatabase(persistence: MemoryPersistence())
        let waiter = _Concurrency.Task { await db.waitForCommit(after: 0) }
        waiter.cancel()
        await waiter.value
        #expect(db.snapshot.generation == 0)
    }
}

@Suite("Pool database across restarts")
struct RestartTests {
    @Test("the generation never goes backwards, even past commits that were never journalled")
    func generationsResumeAboveEverythingIssued() async throws {
        let persistence = MemoryPersistence()
        var issued: Int64 = 0
        do {
            let db = try PoolDatabase(persistence: persistence)
            for index in 0..<25 {
                issued = try await db.write { (tx: inout Transaction) throws(XenAPIError) -> Int64 in
                    try tx.insert("session", ref: "OpaqueRef:s\(index)", fields: ["uuid": .string("s\(index)")])
                    return tx.generation
                }
            }
        }
        let reopened = try PoolDatabase(persistence: persistence)
        #expect(reopened.snapshot.generation > issued)
        let next = try await reopened.write { (tx: inout Transaction) throws(XenAPIError) -> Int64 in
            try tx.insert("network", ref: "OpaqueRef:n", fields: ["uuid": "n", "name_label": "n"])
            return tx.generation
        }
        #expect(next > issued)
    }

    @Test("deletions before a restart are still reported after it, from the snapshot and from the journal")
    func tombstonesSurvive() async throws {
        let persistence = MemoryPersistence()
        do {
            let db = try PoolDatabase(persistence: persistence, snapshotInterval: 3)
            for name in ["a", "b", "c"] {
                try await db.write { (tx: inout Transaction) throws(XenAPIError) in
                    try tx.insert("network", ref: "OpaqueRef:\(name)", fields: ["uuid": .string(name), "name_label": .string(name)])
                }
            }
            try await db.write { (tx: inout Transaction) throws(XenAPIError) in try tx.delete("network", ref: "OpaqueRef:a") }
            try await db.write { (tx: inout Transaction) throws(XenAPIError) in try tx.delete("network", ref: "OpaqueRef:b") }
            try await db.write { (tx: inout Transaction) throws(XenAPIError) in try tx.delete("network", ref: "OpaqueRef:c") }
        }
        let reopened = try PoolDatabase(persistence: persistence)
        #expect(Set(reopened.snapshot.tombstones.all.map(\.ref)) == ["OpaqueRef:a", "OpaqueRef:b", "OpaqueRef:c"])
    }

    @Test("computed sets are rebuilt from refs when an image loads")
    func relationsRebuilt() async throws {
        let persistence = MemoryPersistence()
        try persistence.writeSnapshot(
            PersistedSnapshot(
                generation: 4,
                tables: [
                    "VM": ["OpaqueRef:vm": PersistedRow(created: 1, modified: 1, fields: ["uuid": "vm", "VBDs": []])],
                    "VBD": ["OpaqueRef:vbd": PersistedRow(created: 2, modified: 2, fields: ["uuid": "vbd", "VM": "OpaqueRef:vm"])],
                ]))
        let db = try PoolDatabase(persistence: persistence)
        #expect(db.snapshot.value("VM", "OpaqueRef:vm", "VBDs") == ["OpaqueRef:vbd"])
    }

    @Test("an older image never replaces a newer one")
    func snapshotOrder() throws {
        let persistence = MemoryPersistence()
        try persistence.writeSnapshot(PersistedSnapshot(generation: 9, tables: [:]))
        try persistence.writeSnapshot(PersistedSnapshot(generation: 5, tables: [:]))
        #expect(try persistence.load().snapshot?.generation == 9)
    }
}

@Suite("Journal replay against a newer model")
struct ReplayCompatibilityTests {
    @Test("a journalled set the model can no longer hold is skipped, not fatal")
    func incompatibleSet() async throws {
        let persistence = MemoryPersistence()
        try await persistence.append([
            JournalRecord(generation: 1, changes: [
                .insert(className: "VM", ref: "OpaqueRef:vm", fields: ["uuid": "vm", "name_label": "a"]),
                .set(className: "VM", ref: "OpaqueRef:vm", field: "VBDs", value: ["OpaqueRef:x"]),
                .set(className: "VM", ref: "OpaqueRef:vm", field: "VCPUs_max", value: "not a number"),
                .set(className: "VM", ref: "OpaqueRef:vm", field: "retired_field", value: "x"),
                .set(className: "VM", ref: "OpaqueRef:vm", field: "name_label", value: "b"),
            ])
        ])
        let db = try PoolDatabase(persistence: persistence)
        #expect(db.snapshot.value("VM", "OpaqueRef:vm", "VBDs") == [])
        #expect(db.snapshot.value("VM", "OpaqueRef:vm", "name_label") == "b")
        #expect(db.snapshot.value("VM", "OpaqueRef:vm", "VCPUs_max") == .int(0))
    }
}
