import Testing
import XenAPI
import XenDB
import XenRPC

@Suite("Typed database access")
struct TypedAccessTests {
    @Test("typed insert starts from the model's defaults; update and set write typed fields; relations follow")
    func typedWrites() async throws {
        let db = try PoolDatabase(persistence: MemoryPersistence())
        let host = Ref<Host>("OpaqueRef:host"), vm = Ref<VM>("OpaqueRef:vm")
        try await db.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.insert(host) { $0.uuid = "h" }
            try tx.insert(vm) { $0.uuid = "v"; $0.nameLabel = "web" }
        }
        var view = try #require(db.snapshot[vm])
        #expect(view.domid == -1 && view.powerState == .halted && view.nameLabel == "web")
        try await db.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.update(vm) { vm in
                vm.powerState = .running
                vm.residentOn = host
            }
            try tx.set(vm, \.domid, 7)
        }
        view = try #require(db.snapshot[vm])
        #expect(view.powerState == .running && view.domid == 7)
        #expect(db.snapshot[host]?.residentVMs == [vm])
        #expect(db.snapshot.value("VM", vm.rawValue, "power_state") == .string("Running"))
    }

    @Test("the string API refuses an unknown field or a wrongly typed value instead of ignoring it")
    func stringAPIIsStrict() async throws {
        let db = try PoolDatabase(persistence: MemoryPersistence())
        await #expect(throws: XenAPIError.internalError(message: "VM has no field power_sate")) {
            try await db.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.insert("VM", ref: "OpaqueRef:a", fields: ["uuid": "a", "power_sate": "Running"])
            }
        }
        await #expect(throws: XenAPIError.self) {
            try await db.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.insert("VM", ref: "OpaqueRef:b", fields: ["uuid": "b", "domid": "seven"])
            }
        }
        try await db.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.insert("VM", ref: "OpaqueRef:c", fields: ["uuid": "c"])
        }
        await #expect(throws: XenAPIError.internalError(message: "VM has no field nmae_label")) {
            try await db.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.set("VM", ref: "OpaqueRef:c", field: "nmae_label", value: "x")
            }
        }
        await #expect(throws: XenAPIError.self) {
            try await db.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.set("VM", ref: "OpaqueRef:c", field: "is_a_template", value: .string("yes"))
            }
        }
        #expect(db.snapshot.count("VM") == 1)
    }
}
