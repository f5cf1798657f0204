import Testing
import XenAPI
import XenDB
import XenRPC
import XenSimulation

@testable import XenCore

/// xapi's `assert_can_see_networks` at placement: a VM on a network whose physical interfaces
/// are on one host runs only there; a network without any (internal) is everywhere.
@Suite("placement: networks a host reaches")
struct PlacementReachTests {
    @Test("a VM on a network with a PIF on one host only starts there and cannot go elsewhere")
    func networkOnOneHost() async throws {
        let harness = try await ToolstackHarness(hosts: 3)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let hosts = try #require(try await harness.value("host.get_all", session).arrayValue).compactMap(\.stringValue)
            let services = harness.toolstack.services
            let (network, pif) = (services.makeRef(Network.self), services.makeRef(PIF.self))
            let (owner, other) = (Ref<Host>(hosts[1]), Ref<Host>(hosts[2]))
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.insert(network) { record in
                    record.uuid = "5eed0000-0000-4000-8000-00000000ee01"
                    record.nameLabel = "storage VLAN"
                    record.bridge = "xapi42"
                }
                try tx.insert(pif) { record in
                    record.uuid = "5eed0000-0000-4000-8000-00000000ee02"
                    record.host = owner
                    record.network = network
                    record.device = "eth1"
                }
            }
            let vm = try await makeVM(harness, session, name: "on-vlan")
            var vif = VIF()
            vif.device = "0"
            vif.vm = Ref(vm.stringValue ?? "")
            vif.network = network
            vif.mac = "52:54:00:12:34:56"
            _ = try await harness.value("VIF.create", session, vif.rpcValue)
            let refusal: [String] = ["VM_REQUIRES_NETWORK", vm.stringValue ?? "", network.rawValue]
            #expect(await harness.call("VM.start_on", session, vm, .string(other.rawValue), false, false) == .failure(refusal))
            _ = try await harness.value("VM.start", session, vm, false, false)
            #expect(try await harness.value("VM.get_resident_on", session, vm).stringValue == owner.rawValue)
            #expect(
                await harness.call("VM.pool_migrate", session, vm, .string(other.rawValue), ["live": "true"]) == .failure(refusal))
            // The management network has a PIF on every host: no bar to any of them.
            let plain = try await makeVM(harness, session, name: "plain")
            _ = try await harness.value("VM.start_on", session, plain, .string(other.rawValue), false, false)
        }
    }
}

/// The storage a pool of several simulated hosts shares, made once even if a start is cut short.
@Suite("placement: shared storage")
struct SharedStorageTests {
    @Test("a pool of several hosts gets one shared default SR; a start cut short before it was the default finishes the job")
    func madeOnce() async throws {
        let storage = MemorySimulationStorage()
        let database = try PoolDatabase(persistence: MemoryPersistence())
        let root = ToolstackHarness.storageRoot()
        let harness = try await ToolstackHarness(hosts: 2, database: database, machines: storage, storageRoot: root)
        let services = harness.toolstack.services
        let pool = try #require(services.database.snapshot.objects(Pool.self).first)
        let shared = try #require(services.database.snapshot[pool.defaultSR])
        #expect(shared.shared && shared.nameLabel == "Shared storage" && shared.pbds.count == 2)
        #expect(pool.suspendImageSR == shared.ref && pool.otherConfig[SharedStorage.pendingKey] == nil)
        // As if the start had stopped after making the SR and before making it the default.
        let local = try #require(services.database.snapshot.objects(SR.self).first { $0.nameLabel == "Local storage" }?.ref)
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.update(pool.ref) { record in
                record.defaultSR = local
                record.otherConfig[SharedStorage.pendingKey] = "true"
            }
        }
        let restarted = try await ToolstackHarness(seed: 2, hosts: 2, database: database, machines: storage, storageRoot: root)
        let after = restarted.toolstack.services.database.snapshot
        #expect(after.objects(Pool.self).first?.defaultSR == shared.ref, "the SR made before is taken, not made again")
        #expect(after.objects(SR.self).filter { $0.nameLabel == "Shared storage" }.count == 1)
        #expect(after.objects(Pool.self).first?.otherConfig[SharedStorage.pendingKey] == nil)
    }
}
