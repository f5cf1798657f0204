import Foundation
import Testing
import XenBackend
import XenSimulation
@testable import XenUpdates

/// The fixtures of `tests/wire/fixtures/updates`: real repositories made by createrepo_c, and
/// `expected.json`, what xapi reports for each host state.
enum UpdateFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tests/wire/fixtures/updates")

    static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: folder.appendingPathComponent(path))) }

    static func expected() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(bytes("expected.json"))) as! [String: Any]
    }

    /// A repository folder's index, packages and (for update repositories) updateinfo, each
    /// metadata file checked against the sha256 repomd.xml gives.
    static func repository(_ name: String) throws -> (index: RepositoryIndex, packages: [RPMPackage], info: UpdateInfo?) {
        let index = try RepositoryIndex.parse(bytes("\(name)/repodata/repomd.xml"))
        let primary = try #require(index.entry("primary"))
        let packages = try RepositoryPackages.parse(
            RepositoryIndex.uncompressed(
                RepositoryIndex.verified(bytes("\(name)/\(primary.location)"), against: primary), location: primary.location))
        var info: UpdateInfo?
        if let entry = index.entry("updateinfo") {
            info = try UpdateInfo.parse(
                RepositoryIndex.uncompressed(RepositoryIndex.verified(bytes("\(name)/\(entry.location)"), against: entry), location: entry.location))
        }
        return (index, packages.entries.map(\.package), info)
    }

    /// A scenario's host: its installed packages and running components.
    static func host(_ scenario: [String: Any]) throws -> HostPackageState {
        let before = scenario["host_before"] as! [String: Any]
        let installed = try (before["installed"] as! [String]).map { try #require(RPMPackage(fullName: $0)) }
        let running = (before["running"] as! [String: [String: Any]]).sorted { $0.key < $1.key }.map { name, value in
            let to = (value["livepatch_to"] as? String).flatMap(VersionRelease.init)
            return RunningComponent(component: LivepatchComponent(rawValue: name)!, baseBuildID: value["base_build_id"] as! String, livepatchTo: to)
        }
        return HostPackageState(installed: installed, running: running)
    }
}

@Suite("update evaluation, against the fixtures' expected results")
struct UpdateEvaluationTests {
    @Test("each scenario's host gets exactly the guidance, RPMS, update ids and live patches xapi reports")
    func scenarios() throws {
        let scenarios = try UpdateFixtures.expected()["scenarios"] as! [[String: Any]]
        #expect(scenarios.count == 6)
        for scenario in scenarios {
            let id = scenario["id"] as! String
            var available: [RPMPackage] = []
            var info: UpdateInfo?
            for name in scenario["repositories"] as! [String] {
                let repository = try UpdateFixtures.repository(name == "bundle-1" ? "normal-1" : name)
                available += repository.packages
                if let found = repository.info { info = found }
            }
            let updates = UpdateEvaluation.evaluate(host: try UpdateFixtures.host(scenario), available: available, info: try #require(info))
            let entry = scenario["updates_host_entry"] as! [String: Any]
            let guidance = entry["guidance"] as! [String: [String]]
            for kind in GuidanceKind.reported {
                #expect(updates.tasks(kind).map(\.rawValue) == guidance[kind.rawValue], "\(id) \(kind)")
            }
            #expect(updates.rpms.map(\.fullName) == entry["RPMS"] as! [String], "\(id)")
            #expect(updates.updateIDs == entry["updates"] as! [String], "\(id)")
            let livepatches = (entry["livepatches"] as! [[String: String]]).map {
                [$0["component"]!, $0["base_build_id"]!, $0["base_version"]!, $0["base_release"]!, $0["to_version"]!, $0["to_release"]!]
            }
            #expect(
                updates.livepatches.map { [$0.component.rawValue, $0.baseBuildID, $0.baseVersion, $0.baseRelease, $0.toVersion, $0.toRelease] }
                    == livepatches, "\(id)")
            #expect(updates.requiresEvacuation == scenario["evacuation_required"] as! Bool, "\(id)")
            #expect(updates.isUpToDate == (scenario["latest_synced_updates_applied_after_sync"] as! String == "yes"), "\(id)")
        }
    }

    @Test("updateinfo: deprecated tags ignored, unknown values are RebootHost, dates and severities as xapi writes them")
    func updateInfo() throws {
        let info = try #require(try UpdateFixtures.repository("normal-2").info)
        #expect(info.apiVersion == "2.23")
        #expect(info.updates.map(\.id) == (1...9).map { "XS8-2026-000\($0)" })
        let third = info.updates[2]
        #expect(third.tasks(.recommended).isEmpty && third.tasks(.full) == [.restartDeviceModel])
        #expect(info.updates[5].tasks(.full) == [.rebootHost])
        #expect(info.updates[0].issued == "20260106T09:00:00Z")
        #expect(info.updates[1].severity == "High" && info.updates[1].livepatches.count == 1)
        #expect(info.updates[6].applicabilities.first?.inequality == .lt)
        #expect(UpdateInfo.issuedDate("yesterday") == "19700101T00:00:00Z")
        #expect(throws: UpdateInfo.Invalid.self) { try UpdateInfo.parse(Array("<updates><update type='x'><id>A</id></update></updates>".utf8)) }
        #expect(throws: UpdateInfo.Invalid.self) {
            try UpdateInfo.parse(Array("<updates><update type='x'><id>A</id><summary/></update><update type='x'><id>A</id><summary/></update></updates>".utf8))
        }
        #expect(throws: UpdateInfo.Invalid.self) { try UpdateInfo.parse(Array("<updates><update".utf8)) }
    }

    @Test("a metadata file that differs from repomd.xml's sha256 is refused")
    func checksums() throws {
        let index = try RepositoryIndex.parse(UpdateFixtures.bytes("normal-1/repodata/repomd.xml"))
        let entry = try #require(index.entry("updateinfo"))
        var bytes = try UpdateFixtures.bytes("normal-1/\(entry.location)")
        bytes[bytes.count / 2] ^= 1
        #expect(throws: RepositoryIndex.Invalid.self) { try RepositoryIndex.verified(bytes, against: entry) }
        #expect(entry.sha256 == "b504ae11ec84486a0d1a287c2a9c515060084fa6f2897582d3cf9a28abfb12ef")
        #expect(throws: RepositoryIndex.Invalid.self) {
            try RepositoryIndex.parse(Array("<repomd><data type='x'><checksum type='sha256'>\(String(repeating: "a", count: 64))</checksum><location href='../etc/passwd'/></data></repomd>".utf8))
        }
    }
}

@Suite("RPM versions and guidance reduction, as xapi's tables say")
struct GuidanceRulesTests {
    @Test("version strings compare as xapi's Rpm.Pkg (its own examples)")
    func versionOrder() {
        let cases: [(String, RPMVersionOrder, String)] = [
            ("1.2.3", .less, "1.2.4"), ("1.2.3", .equal, "1.2.3"), ("1.2.3", .greater, "1.2"), ("1.0011", .greater, "1.9"),
            ("1.05", .equal, "1.5"), ("1.0", .greater, "1"), ("1.0", .greater, "1.a"), ("2.50", .greater, "2.5"),
            ("XS3", .less, "xs2"), ("1.2.3", .less, "1.2.3a"), ("xs4", .equal, "xs.4"), ("2a", .less, "2.0"), ("2a", .less, "2b"),
            ("1.0", .greater, "1.xs2"), ("1.0_xs", .equal, "1.0.xs"), ("1.xs8", .greater, "1.xs8~2_1"), ("1.2.3", .greater, "1.2.3~beta"),
            ("1.2.3~rc1~beta", .less, "1.2.3~rc1"), ("1.2.3~", .less, "1.2.3"),
        ]
        for (a, order, b) in cases { #expect(RPMVersionOrder.compare(a, b) == order, "\(a) vs \(b)") }
        #expect(RPMVersionOrder.compare(epoch: nil, "9", "9", with: 1, "1", "1") == .less)
    }

    @Test("full names with and without epochs read and print as xapi's")
    func fullNames() throws {
        let qemu = try #require(RPMPackage(fullName: "qemu-2:4.2.1-5.2.13.xs8.x86_64.rpm"))
        #expect(qemu.name == "qemu" && qemu.epoch == 2 && qemu.version == "4.2.1" && qemu.release == "5.2.13.xs8")
        #expect(qemu.fullName == "qemu-2:4.2.1-5.2.13.xs8.x86_64.rpm")
        #expect(RPMPackage(fullName: "qemu-dp-7.0.0-19.xs8.x86_64")?.name == "qemu-dp")
        #expect(RPMPackage(fullName: "time-(none):1.7-45.el7.x86_64")?.epoch == nil)
        #expect(RPMPackage(fullName: "kernel-4.19.19-8.0.37.xs8.i686.rpm") == nil)
    }

    @Test("precedence: a reboot absorbs toolstack, evacuation and device model; the kinds cascade")
    func reduction() {
        #expect(GuidanceReduction.reduce([.rebootHost, .restartToolstack, .evacuateHost, .restartDeviceModel, .restartVM]) == [.rebootHost, .restartVM])
        #expect(GuidanceReduction.reduce([.evacuateHost, .restartDeviceModel]) == [.evacuateHost])
        #expect(GuidanceReduction.reduce([.restartVM, .restartDeviceModel]) == [.restartVM])
        #expect(GuidanceReduction.reduce([.restartToolstack, .restartDeviceModel]) == [.restartToolstack, .restartDeviceModel])
        // Mandatory RestartToolstack; recommended RebootHost stays (it is stronger); full's
        // RestartDeviceModel is absorbed by the reboot above it.
        #expect(
            GuidanceReduction.cascade([[.restartToolstack], [.rebootHost], [.restartDeviceModel, .restartToolstack]])
                == [[.restartToolstack], [.rebootHost], []])
        // A mandatory reboot leaves nothing for the weaker kinds that it implies.
        #expect(GuidanceReduction.cascade([[.rebootHost], [.restartToolstack, .restartVM], [.evacuateHost]]) == [[.rebootHost], [.restartVM], []])
        #expect(Guidance(value: "RestartXsconsole") == .rebootHost)
        #expect([Guidance.restartVM, .rebootHost, .evacuateHost, .restartToolstack].sorted() == [.rebootHost, .restartToolstack, .evacuateHost, .restartVM])
    }
}

@Suite("the simulated host's package database")
struct SimulatedPackageDatabaseTests {
    @Test("a fresh host has exactly inventory-8.4.0.json, its components running the builds the rule names")
    func freshInventory() throws {
        let inventory = try JSONSerialization.jsonObject(with: Data(UpdateFixtures.bytes("inventory-8.4.0.json"))) as! [String: Any]
        let packages = (inventory["packages"] as! [[String: Any]]).map {
            RPMPackage(
                name: $0["name"] as! String, epoch: $0["epoch"] as? Int, version: $0["version"] as! String,
                release: $0["release"] as! String, arch: $0["arch"] as! String)
        }
        let fresh = SimulatedPackageDatabase.fresh
        #expect(Set(fresh.installed) == Set(packages) && fresh.installed.count == packages.count)
        let components = inventory["livepatch_components"] as! [String: [String: Any]]
        for running in fresh.running {
            #expect(running.baseBuildID == components[running.component.rawValue]?["base_build_id"] as? String)
            #expect(running.livepatchTo == nil)
        }
        #expect(fresh.running.count == 2)
    }

    @Test("installing replaces packages, a live patch moves only its target, a boot runs the newest package unpatched")
    func lifecycle() async throws {
        let storage = MemorySimulationStorage()
        let database = try SimulatedPackageDatabase(storage: storage, name: "packages-1")
        let kernel = RPMPackage(name: "kernel", epoch: nil, version: "4.19.19", release: "8.0.38.xs8", arch: "x86_64")
        try await database.install([kernel])
        let patch = Livepatch(
            component: .kernel, baseBuildID: "3cdbe5ecf417d804303dd1a7e4000b5a6bf0fd1c", baseVersion: "4.19.19", baseRelease: "8.0.37.xs8",
            toVersion: "4.19.19", toRelease: "8.0.38.xs8")
        try await database.applyLivepatch(patch)
        var state = await database.state()
        #expect(state.installed.filter { $0.name == "kernel" } == [kernel])
        #expect(state.running.first { $0.component == .kernel }?.livepatchTo == VersionRelease(version: "4.19.19", release: "8.0.38.xs8"))
        // The state outlives the toolstack: a new database over the same storage reads it.
        let again = try SimulatedPackageDatabase(storage: storage, name: "packages-1")
        #expect(await again.state() == state)
        try await again.booted()
        state = await again.state()
        let running = try #require(state.running.first { $0.component == .kernel })
        #expect(running.baseBuildID == "61898bfa150d560090a3de47d2b8b61df404f324" && running.livepatchTo == nil)
        let failing = try SimulatedPackageDatabase(storage: nil, name: "x", fails: { $0 == "install-packages" })
        await #expect(throws: HypervisorError.self) { try await failing.install([kernel]) }
    }
}
