import Testing
import XenAPI
import XenRPC
@testable import XenCore

@Suite("licences")
struct LicensingTests {
    private func hosts(_ harness: ToolstackHarness, _ session: RPCValue) async throws -> [RPCValue] {
        let pool = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
        let master = try await harness.value("pool.get_master", session, pool)
        return [master] + (try await harness.value("host.get_all", session).arrayValue ?? []).filter { $0 != master }
    }

    @Test("hosts start Premium; an edition's missing features are refused with LICENCE_RESTRICTION and show in pool.restrictions")
    func editions() async throws {
        let harness = try await ToolstackHarness(hosts: 4)
        let session = RPCValue.string(try await harness.login())
        let pool = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
        let host = try await hosts(harness, session)[0]
        #expect(try await harness.value("host.get_edition", session, host) == "premium-per-socket")
        #expect(try await harness.value("host.get_editions", session, host) == ["premium-per-socket", "standard-per-socket", "trial"])
        #expect(try await harness.value("host.get_license_params", session, host)["expiry"]?.stringValue?.hasPrefix("2027") == true)
        #expect(try await harness.value("pool.get_restrictions", session, pool)["restrict_wlb"] == "false")
        #expect(await harness.call("pool.set_wlb_enabled", session, pool, true) == .failure(["WLB_NOT_INITIALIZED"]))
        _ = try await harness.value("pool.set_igmp_snooping_enabled", session, pool, true)

        _ = try await harness.value("pool.apply_edition", session, pool, "standard-per-socket")
        #expect(try await harness.value("pool.get_restrictions", session, pool)["restrict_wlb"] == "true")
        #expect(await harness.call("pool.set_wlb_enabled", session, pool, true) == .failure(["LICENCE_RESTRICTION", "WLB"]))
        #expect(await harness.call("pool.set_igmp_snooping_enabled", session, pool, false) == .failure(["LICENCE_RESTRICTION", "IGMP_snooping"]))
        let sr = try await harness.value("pool.get_default_SR", session, pool)
        let vdi = try await harness.value("VDI.create", session, [
            "name_label": "d", "name_description": "", "SR": sr, "virtual_size": "1048576", "type": "user",
            "sharable": false, "read_only": false, "other_config": [:],
        ])
        #expect(await harness.call("VDI.enable_cbt", session, vdi) == .failure(["LICENCE_RESTRICTION", "CBT"]))
        #expect(try await harness.value("pool.get_license_state", session, pool)["edition"] == "standard-per-socket")

        _ = try await harness.value("host.apply_edition", session, host, "premium-per-socket")
        #expect(try await harness.value("pool.get_restrictions", session, pool)["restrict_cbt"] == "true", "one Standard host restricts the pool")
        #expect(await harness.call("host.apply_edition", session, host, "gold") == .failure(["INVALID_EDITION", "gold"]))
        #expect(await harness.call("pool.apply_edition", session, pool, "trial") == .failure(["LICENCE_RESTRICTION", "Pool_size"]),
                "a trial pool has at most three hosts")
    }

    @Test("an expired licence leaves running VMs alone but lets nothing new start on its host")
    func expiry() async throws {
        let harness = try await ToolstackHarness(hosts: 2)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let hosts = try await hosts(harness, session)
            _ = try await harness.value("host.apply_edition", session, hosts[1], "trial")
            let running = try await makeVM(harness, session, name: "running")
            _ = try await harness.value("VM.start_on", session, running, hosts[1], false, false)
            try await harness.seeded.environment.sleep(.seconds(91 * 86_400))
            #expect(try await harness.value("VM.get_power_state", session, running) == "Running")
            let fresh = try await makeVM(harness, session, name: "fresh")
            #expect(await harness.call("VM.start_on", session, fresh, hosts[1], false, false) == .failure(["LICENCE_RESTRICTION", "Start"]))
            _ = try await harness.value("VM.start", session, fresh, false, false)
            #expect(try await harness.value("VM.get_resident_on", session, fresh) == hosts[0], "placed on the licensed host")
            _ = try await harness.value("host.apply_edition", session, hosts[0], "trial")
            try await harness.seeded.environment.sleep(.seconds(91 * 86_400))
            let late = try await makeVM(harness, session, name: "late")
            #expect(await harness.call("VM.start", session, late, false, false) == .failure(["LICENCE_RESTRICTION", "Start"]))
            _ = try await harness.value("VM.clean_reboot", session, running)
            #expect(try await harness.value("VM.get_power_state", session, running) == "Running", "a reboot is not a new start")
        }
    }
}
