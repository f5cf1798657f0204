import Foundation
import Testing
import XenAPI
@testable import XenCore
import XenDB
import XenRPC

/// Updates in process, on the seeded executor: the fixtures' repositories read from their
/// folders (the harness reads `http://127.0.0.1/<folder>` from the folder), virtual time for boots.
@Suite("applying updates: pending guidance through reboots and toolstack restarts")
struct UpdateApplyTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tests/wire/fixtures/updates").path
    static let normal1 = "b504ae11ec84486a0d1a287c2a9c515060084fa6f2897582d3cf9a28abfb12ef"

    @Test("a reboot boots the new kernel and clears the host's guidance; mandatory guidance keeps a host disabled")
    func rebootAndMandatoryGuidance() async throws {
        let harness = try await ToolstackHarness(hosts: 2)
        let services = harness.toolstack.services
        try FileManager.default.createDirectory(atPath: services.updates.gpgKeyDirectory, withIntermediateDirectories: true)
        try? FileManager.default.copyItem(
            atPath: Self.fixtures + "/RPM-GPG-KEY-fixture", toPath: services.updates.gpgKeyDirectory + "/" + services.updates.defaultKeyName)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let pool = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
            let master = try await harness.value("pool.get_master", session, pool)
            let member = try #require(try await harness.value("host.get_all", session).arrayValue?.first { $0 != master })
            let base = try await harness.value(
                "Repository.introduce", session, "base", "", .string("http://127.0.0.1" + Self.fixtures + "/base"), "http://127.0.0.1/src",
                false, "")
            let normal = try await harness.value(
                "Repository.introduce", session, "normal", "", .string("http://127.0.0.1" + Self.fixtures + "/normal-1"),
                "http://127.0.0.1/src", true, "")
            _ = try await harness.value("pool.set_repositories", session, pool, [base, normal])
            #expect(try await harness.value("pool.sync_updates", session, pool, false, "", "") == .string(Self.normal1))
            _ = try await harness.value("host.disable", session, member)
            #expect(try await harness.value("host.apply_updates", session, member, .string(Self.normal1)) == [])
            #expect(try await harness.value("host.get_pending_guidances", session, member) == ["restart_toolstack"])
            #expect(try await harness.value("host.get_pending_guidances_full", session, member) == ["reboot_host"])
            _ = try await harness.value("host.reboot", session, member)
            try await harness.seeded.environment.sleep(.seconds(31))
            #expect(try await harness.value("host.get_enabled", session, member) == true)
            #expect(try await harness.value("host.get_pending_guidances", session, member) == [])
            #expect(try await harness.value("host.get_pending_guidances_full", session, member) == [])
            // The new kernel runs: nothing is left to install or live-patch on the member.
            let document = try await UpdateTransfers(toolstack: harness.toolstack).updatesDocument(hostRefs: [member.stringValue!])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(document)) as? [String: Any])
            let entry = try #require((json["hosts"] as? [[String: Any]])?.first)
            #expect((entry["RPMS"] as? [String]) == [] && (entry["livepatches"] as? [Any])?.isEmpty == true)
            let state = await (try services.packages(of: Ref(member.stringValue!), in: services.database.snapshot)).state()
            #expect(state.running.first { $0.component == .kernel }?.baseBuildID == "61898bfa150d560090a3de47d2b8b61df404f324")

            // Mandatory guidance that a toolstack restart does not clear keeps the host disabled.
            let coordinator = Ref<XenAPI.Host>(master.stringValue!)
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.set(coordinator, \.pendingGuidances, [.rebootHost])
            }
            _ = try await harness.value("host.disable", session, master)
            _ = try await harness.value("host.restart_agent", session, master)
            #expect(try await harness.value("host.get_enabled", session, master) == false)
            #expect(await harness.call("host.apply_updates", session, master, .string(Self.normal1))
                == .failure(["HOST_PENDING_MANDATORY_GUIDANCE_NOT_EMPTY", master.stringValue!]))
            _ = try await harness.value("host.emergency_clear_mandatory_guidance", session)
            #expect(try await harness.value("host.get_pending_guidances", session, master) == [])
        }
    }
}
