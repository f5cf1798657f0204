import Testing
import XenAPI
import XenDB
import XenRPC
import XenSimulation
@testable import XenCore

@Suite("pool.eject and pool.designate_new_master")
struct PoolMembershipTests {
    /// The host named `name`.
    private func host(_ harness: ToolstackHarness, _ session: RPCValue, _ name: String) async throws -> RPCValue {
        try #require(try await harness.value("host.get_by_name_label", session, .string(name)).arrayValue?.first)
    }

    @Test("an ejected member leaves with its local storage, interfaces, CPUs and control domain, and stays gone after a restart")
    func eject() async throws {
        let storage = MemorySimulationStorage()
        let database = try PoolDatabase(persistence: MemoryPersistence())
        let harness = try await ToolstackHarness(hosts: 3, database: database, machines: storage)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let member = try await host(harness, session, "harness-3")
            let memberUUID = try #require(try await harness.value("host.get_uuid", session, member).stringValue)
            let pbd = try #require(try await harness.value("host.get_PBDs", session, member).arrayValue?.first)
            let localSR = try await harness.value("PBD.get_SR", session, pbd)
            let disk = try await harness.value(
                "VDI.create", session,
                .structure([
                    "name_label": "lost", "SR": localSR, "virtual_size": "1048576", "type": "user", "sharable": false,
                    "read_only": false, "other_config": .structure([:]),
                ]))
            let vm = try await makeVM(harness, session, name: "prefers-3")
            _ = try await harness.value("VM.set_affinity", session, vm, member)
            _ = try await harness.value(
                "VBD.create", session,
                .structure([
                    "VM": vm, "VDI": disk, "userdevice": "0", "bootable": true, "mode": "RW", "type": "Disk", "empty": false,
                    "other_config": .structure([:]), "qos_algorithm_type": "", "qos_algorithm_params": .structure([:]),
                ]))
            _ = try await harness.value("VM.start_on", session, vm, member, false, false)
            #expect(await harness.call("pool.eject", session, member) == .failure(["OPERATION_NOT_ALLOWED", "VM resident on host"]))
            let coordinator = try await host(harness, session, "harness")
            #expect(await harness.call("pool.eject", session, coordinator)
                == .failure(["OPERATION_NOT_ALLOWED", "The pool coordinator cannot be ejected; designate another coordinator first"]))
            _ = try await harness.value("VM.hard_shutdown", session, vm)

            _ = try await harness.value("pool.eject", session, member)
            #expect(try await harness.value("host.get_all", session).arrayValue?.count == 2)
            #expect(await harness.call("host.get_uuid", session, member) == .failure(["HANDLE_INVALID", "host", member.stringValue ?? ""]))
            #expect(await harness.call("SR.get_uuid", session, localSR) == .failure(["HANDLE_INVALID", "SR", localSR.stringValue ?? ""]))
            #expect(await harness.call("VDI.get_uuid", session, disk) == .failure(["HANDLE_INVALID", "VDI", disk.stringValue ?? ""]))
            #expect(try await harness.value("VM.get_affinity", session, vm) == "OpaqueRef:NULL")
            #expect(try await harness.value("VM.get_VBDs", session, vm) == .array([]))
            #expect(try await harness.value("PIF.get_all", session).arrayValue?.count == 2)
            #expect(try await harness.value("host_cpu.get_all", session).arrayValue?.count == 16)
            let controlDomains = try await harness.value("VM.get_all_records_where", session, "field \"is_control_domain\" = \"true\"")
            #expect(controlDomains.structureValue?.count == 2)
            #expect(!harness.toolstack.services.machines.contains { $0.inventory.uuid == memberUUID })
            // The VM starts elsewhere.
            _ = try await harness.value("VM.start", session, vm, false, false)
            #expect(try await harness.value("VM.get_resident_on", session, vm) != member)
        }
        let restarted = try await ToolstackHarness(seed: 2, hosts: 3, database: database, machines: storage)
        let session = RPCValue.string(try await restarted.login())
        #expect(try await restarted.value("host.get_all", session).arrayValue?.count == 2, "the retired machine does not come back")
        #expect(restarted.machines.machines.count == 2)
    }

    @Test("designate_new_master moves the coordinator's role; the previous coordinator can then be ejected")
    func designate() async throws {
        let harness = try await ToolstackHarness(hosts: 2)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let pool = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
            let old = try await host(harness, session, "harness")
            let new = try await host(harness, session, "harness-2")
            _ = try await harness.value("pool.designate_new_master", session, new)
            #expect(try await harness.value("pool.get_master", session, pool) == new)
            _ = try await harness.value("pool.designate_new_master", session, new)
            #expect(try await harness.value("pool.get_current_operations", session, pool) == .structure([:]))
            _ = try await harness.value("pool.eject", session, old)
            #expect(try await harness.value("host.get_all", session).arrayValue == [new])
        }
    }

    @Test("with HA on, neither eject nor designate_new_master runs")
    func haBlocks() async throws {
        let harness = try await ToolstackHarness(hosts: 2)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let pool = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
            let member = try await host(harness, session, "harness-2")
            try await harness.toolstack.services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.set(Ref<Pool>(pool.stringValue ?? ""), \.haEnabled, true)
            }
            #expect(await harness.call("pool.eject", session, member) == .failure(["HA_IS_ENABLED"]))
            #expect(await harness.call("pool.designate_new_master", session, member) == .failure(["HA_IS_ENABLED"]))
            #expect(try await harness.value("host.get_all", session).arrayValue?.count == 2)
        }
    }
}
