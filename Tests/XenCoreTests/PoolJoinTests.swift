import Foundation
import Synchronization
import Testing
import XenAPI
import XenBackend
import XenRPC
import XenSimulation
@testable import XenCore

@Suite("pool.admit_host and a member's toolstack")
struct PoolJoinTests {
    /// A joining machine's description as its toolstack sends it, matching the harness's coordinator.
    private func description(_ harness: ToolstackHarness, _ session: RPCValue, memory: Int64 = 32 << 30) async throws
        -> [String: String]
    {
        let joining = try SimulatedMachines(
            count: 1, hostname: "joiner", address: "192.0.2.9", shape: .init(memory: memory),
            sources: .init(sleep: { _ in }, makeUUID: { "0e0e0e0e-0000-4000-8000-000000000009" },
                           randomBytes: { [UInt8](repeating: 7, count: $0) }))
        let machine = try await joining.describe(joining.machines[0].inventory.uuid)
        let pool = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
        let master = try await harness.value("pool.get_master", session, pool)
        let record = try Host(rpcValue: try await harness.value("host.get_record", session, master), field: "host")
        var description = [
            "machine": String(decoding: try JSONEncoder().encode(machine), as: UTF8.self), "contact": "http://192.0.2.9:80",
            "secret": "s3cret", "api_version": "\(record.apiVersionMajor).\(record.apiVersionMinor)",
            "edition": record.edition, "cpu_vendor": record.cpuInfo["vendor"] ?? "", "force": "false",
        ]
        for (key, value) in record.softwareVersion { description["software_version:" + key] = value }
        return description
    }

    @Test("a joining machine that matches the coordinator gets a host of its own shape; one that differs is refused, saying how")
    func admission() async throws {
        let harness = try await ToolstackHarness(hosts: 1)
        let session = RPCValue.string(try await harness.login())
        let good = try await description(harness, session)
        var newer = good
        newer["software_version:product_version"] = "8.4.1"
        newer["software_version:xapi_build"] = "25.40.0"
        #expect(await harness.call("pool.admit_host", session, newer.rpcValue) == .failure([
            "HOSTS_NOT_HOMOGENEOUS", "Software version differs: the joining host runs 8.4.1 (xapi 25.40.0), the coordinator "
                + "\(good["software_version:product_version"]!) (xapi \(good["software_version:xapi_build"]!))",
        ]))
        var otherPlatform = good
        otherPlatform["software_version:platform_version"] = "9.0.0"
        #expect(await harness.call("pool.admit_host", session, otherPlatform.rpcValue) == .failure(["HOSTS_NOT_COMPATIBLE"]))
        var otherAPI = good
        otherAPI["api_version"] = "1.0"
        #expect(await harness.call("pool.admit_host", session, otherAPI.rpcValue)
            == .failure(["POOL_JOINING_HOST_MUST_HAVE_SAME_API_VERSION", "1.0", good["api_version"]!]))
        var otherCPU = good
        otherCPU["cpu_vendor"] = "AuthenticAMD"
        #expect(await harness.call("pool.admit_host", session, otherCPU.rpcValue) == .failure(["HOSTS_NOT_HOMOGENEOUS", "CPUs differ"]))
        var otherEdition = good
        otherEdition["edition"] = "trial"
        #expect(await harness.call("pool.admit_host", session, otherEdition.rpcValue) == .failure(["LICENSE_HOST_POOL_MISMATCH"]))
        #expect(try await harness.value("host.get_all", session).arrayValue?.count == 1, "nothing admitted")

        otherCPU["force"] = "true"
        let host = try await harness.value("pool.admit_host", session, otherCPU.rpcValue)
        #expect(try await harness.value("host.get_name_label", session, host) == "joiner")
        let metrics = try await harness.value("host.get_metrics", session, host)
        let total = try Int64(rpcValue: try await harness.value("host_metrics.get_memory_total", session, metrics), field: "memory_total")
        #expect(total == 32 << 30, "the machine keeps its own memory")
        #expect(harness.toolstack.services.machines.count == 2)
        #expect(await harness.call("pool.admit_host", session, good.rpcValue)
            == .failure(["OPERATION_NOT_ALLOWED", "A host with uuid \(try await harness.value("host.get_uuid", session, host).stringValue ?? "") is already in the pool"]))
    }

    @Test("a member answers HOST_IS_SLAVE to everything but its coordinator's word, with the right secret, that it was ejected")
    func member() async throws {
        let ejected = Mutex(0)
        let role = PoolRole(
            ToolstackContact(address: "192.0.2.1:8080", secret: "s3cret"), save: { _ in },
            startAgainAsNewPool: { ejected.withLock { $0 += 1 } })
        let harness = try await ToolstackHarness(role: role)
        #expect(await harness.toolstack.call(method: "session.login_with_password", params: ["root", .string(ToolstackHarness.password)])
            == .failure(["HOST_IS_SLAVE", "192.0.2.1:8080"]))
        #expect(await harness.toolstack.call(method: "pool.member_ejected", params: ["wrong"])
            == .failure(["OPERATION_NOT_ALLOWED", "The secret is not the one this host gave when it joined"]))
        #expect(ejected.withLock { $0 } == 0)
        #expect(await harness.toolstack.call(method: "pool.member_ejected", params: ["s3cret"]) == .success(.string("")))
        #expect(ejected.withLock { $0 } == 1)
    }
}
