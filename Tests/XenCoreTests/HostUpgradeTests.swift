import Foundation
import Testing
import XenAPI
@testable import XenCore
import XenRPC

/// Upgrades on the seeded executor: a release folder, hosts taken down and brought back on
/// virtual time, and the mixed-version rules while the pool is half upgraded.
@Suite("host upgrades and the rolling-upgrade rules")
struct HostUpgradeTests {
    static let gib: Int64 = 1 << 30

    /// A folder holding a release description, as an installer ISO would.
    static func releaseFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("release-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let release = """
            {"product_version": "8.5.0", "platform_version": "3.5.0", "xapi_version": "26.1.0", "build_number": "release/next/26.1.0/7",
             "packages": ["xapi-core-26.1.0-1.1.xs8.x86_64.rpm", "xenserver-release-8.5.0-1.xs8.x86_64.rpm"]}
            """
        try Data(release.utf8).write(to: URL(fileURLWithPath: folder + "/release.json"))
        return folder
    }

    private func hosts(_ harness: ToolstackHarness, _ session: RPCValue) async throws -> [RPCValue] {
        let pool = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
        let master = try await harness.value("pool.get_master", session, pool)
        let others = try await harness.value("host.get_all", session).arrayValue!.filter { $0 != master }
        return [master] + others.sorted { $0.stringValue! < $1.stringValue! }
    }

    private func newVM(_ harness: ToolstackHarness, _ session: RPCValue, _ name: String) async throws -> RPCValue {
        let template = try #require(try await harness.value("VM.get_by_name_label", session, "Other install media").arrayValue?.first)
        let vm = try await harness.value("VM.clone", session, template, .string(name))
        _ = try await harness.value("VM.set_is_a_template", session, vm, false)
        _ = try await harness.value("VM.set_memory_limits", session, vm, .int(Self.gib), .int(Self.gib), .int(Self.gib), .int(Self.gib))
        return vm
    }

    @Test("coordinator first; mixed-version rules while versions differ; the flag clears when all match")
    func rollingUpgradeByHand() async throws {
        let harness = try await ToolstackHarness(hosts: 3)
        let source = try Self.releaseFolder()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let hosts = try await hosts(harness, session)
            let pool = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
            let old = try await newVM(harness, session, "old")
            _ = try await harness.value("VM.start_on", session, old, hosts[1], false, false)
            _ = try await harness.value("host.disable", session, hosts[1])
            // A member may not go first: the "NICs missing" story cannot happen.
            #expect(await harness.call("host.upgrade", session, hosts[1], .string(source)) == .failure([
                "UPGRADE_COORDINATOR_FIRST", hosts[1].stringValue!, "8.5.0", "8.4.0",
            ]))
            _ = try await harness.value("host.enable", session, hosts[1])
            #expect(await harness.call("host.upgrade", session, hosts[0], .string(source)) == .failure(["HOST_NOT_DISABLED"]))
            guard case .failure(let invalid) = await harness.call("host.upgrade", session, hosts[0], "/nowhere") else {
                Issue.record("a source without release.json is refused")
                return
            }
            #expect(invalid.first == "UPGRADE_SOURCE_INVALID" && invalid.dropFirst().first == "/nowhere")
            // VMs made before: while versions are mixed their memory limits may not change.
            let fresh = try await newVM(harness, session, "fresh")
            let other = try await newVM(harness, session, "other")
            _ = try await harness.value("host.disable", session, hosts[0])
            _ = try await harness.value("host.upgrade", session, hosts[0], .string(source))
            let software = try await harness.value("host.get_software_version", session, hosts[0])
            #expect(software["product_version"] == "8.5.0" && software["platform_version"] == "3.5.0" && software["xapi"] == "26.1")
            #expect(try await harness.value("host.get_enabled", session, hosts[0]) == true)
            #expect(try await harness.value("pool.get_other_config", session, pool)["rolling_upgrade_in_progress"] == "true")

            // Mixed versions: VMs start on the newest host only, move old → new only, disks stay as they are.
            _ = try await harness.value("VM.start", session, fresh, false, false)
            #expect(try await harness.value("VM.get_resident_on", session, fresh) == hosts[0])
            #expect(await harness.call("VM.start_on", session, other, hosts[2], false, false) == .failure(["NOT_SUPPORTED_DURING_UPGRADE"]))
            #expect(await harness.call("VM.pool_migrate", session, fresh, hosts[2], [:]) == .failure(["NOT_SUPPORTED_DURING_UPGRADE"]))
            _ = try await harness.value("VM.pool_migrate", session, old, hosts[0], ["live": "true"])
            #expect(try await harness.value("VM.get_resident_on", session, old) == hosts[0])
            let sr = try await harness.value("pool.get_default_SR", session, pool)
            let disk: RPCValue = [
                "name_label": "d", "SR": sr, "virtual_size": .int(Self.gib), "type": "user", "sharable": false, "read_only": false,
                "other_config": [:],
            ]
            #expect(await harness.call("VDI.create", session, disk) == .failure(["NOT_SUPPORTED_DURING_UPGRADE"]))
            // The allow-lists, in allowed_operations and in the calls.
            let vmAllowed = Set(try await harness.value("VM.get_allowed_operations", session, fresh).arrayValue!.compactMap(\.stringValue))
            #expect(vmAllowed.contains("pool_migrate") && vmAllowed.contains("hard_shutdown") && !vmAllowed.contains("snapshot"))
            #expect(await harness.call("VM.snapshot", session, fresh, "s") == .failure(["NOT_SUPPORTED_DURING_UPGRADE"]))
            #expect(
                await harness.call("VM.set_memory_limits", session, other, .int(Self.gib), .int(Self.gib), .int(Self.gib), .int(Self.gib))
                    == .failure(["NOT_SUPPORTED_DURING_UPGRADE"]))
            let srAllowed = Set(try await harness.value("SR.get_allowed_operations", session, sr).arrayValue!.compactMap(\.stringValue))
            #expect(srAllowed.contains("scan") && srAllowed.contains("vdi_clone") && !srAllowed.contains("vdi_create"))
            let hostAllowed = try await harness.value("host.get_allowed_operations", session, hosts[2]).arrayValue!.compactMap(\.stringValue)
            #expect(Set(hostAllowed).isSubset(of: ["evacuate", "provision"]) && hostAllowed.contains("evacuate"))

            for member in hosts.dropFirst() {
                _ = try await harness.value("host.disable", session, member)
                _ = try await harness.value("host.evacuate", session, member)
                _ = try await harness.value("host.upgrade", session, member, .string(source))
            }
            #expect(try await harness.value("pool.get_other_config", session, pool)["rolling_upgrade_in_progress"] == nil)
            _ = try await harness.value("VDI.create", session, disk)
            let restored = try await harness.value("SR.get_allowed_operations", session, sr).arrayValue!.compactMap(\.stringValue)
            #expect(restored.contains("vdi_create") && restored.contains("vdi_snapshot"))
            #expect(try await harness.value("host.get_allowed_operations", session, hosts[2]).arrayValue!.contains("reboot"))

            // The backup: a host can go back to the release it had.
            _ = try await harness.value("host.disable", session, hosts[2])
            _ = try await harness.value("host.restore_backup", session, hosts[2])
            #expect(try await harness.value("host.get_software_version", session, hosts[2])["product_version"] == "8.4.0")
            #expect(try await harness.value("pool.get_other_config", session, pool)["rolling_upgrade_in_progress"] == "true")
        }
    }

    @Test("a failed install brings the host back with the release it had")
    func failedUpgrade() async throws {
        let harness = try await ToolstackHarness(hosts: 2, fails: { $0 == "upgrade-install" })
        let source = try Self.releaseFolder()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let hosts = try await hosts(harness, session)
            _ = try await harness.value("host.disable", session, hosts[0])
            guard case .failure(let error) = await harness.call("host.upgrade", session, hosts[0], .string(source)) else {
                Issue.record("the upgrade should fail")
                return
            }
            #expect(error.first == "UPGRADE_FAILED")
            #expect(try await harness.value("host.get_software_version", session, hosts[0])["product_version"] == "8.4.0")
            let metrics = try await harness.value("host.get_metrics", session, hosts[0])
            #expect(try await harness.value("host_metrics.get_live", session, metrics) == true)
            #expect(await harness.call("host.restore_backup", session, hosts[1]) == .failure(["HOST_HAS_NO_BACKUP", hosts[1].stringValue!]))
        }
    }
}
