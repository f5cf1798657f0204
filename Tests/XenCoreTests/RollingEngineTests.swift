import Foundation
import Synchronization
import Testing
import XenAPI
@testable import XenCore
import XenRPC

/// The rolling-operation engine on the seeded executor: whole runs on virtual time, with the
/// failures the upgrade documents describe injected.
@Suite("rolling operations run by the server")
struct RollingEngineTests {
    static let gib: Int64 = 1 << 30

    /// A pool of `hosts` hosts (16 GiB each) with `vms` running 2 GiB VMs spread over the members.
    private func pool(_ harness: ToolstackHarness, _ session: RPCValue, vms: Int) async throws -> (hosts: [RPCValue], vms: [RPCValue]) {
        let pool = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
        let master = try await harness.value("pool.get_master", session, pool)
        let others = try await harness.value("host.get_all", session).arrayValue!.filter { $0 != master }
        let hosts = [master] + others.sorted { $0.stringValue! < $1.stringValue! }
        var made: [RPCValue] = []
        for index in 0..<vms {
            let vm = try await makeVM(harness, session, name: "vm\(index)")
            _ = try await harness.value("VM.start_on", session, vm, hosts[index % hosts.count], false, false)
            made.append(vm)
        }
        return (hosts, made)
    }

    /// Follows the run with `event.from` until it is no longer running; returns its record.
    private func waitForRun(_ harness: ToolstackHarness, _ session: RPCValue, _ run: RPCValue) async throws -> RPCValue {
        var token = RPCValue.string("")
        while true {
            let record = try await harness.value("Rolling_operation.get_record", session, run)
            let finishing = record["status"] == "aborted" && (isInFlight(record) || record["auto_fixes"] != .array([]))
            guard record["status"] == "running" || finishing else { return record }
            let batch = try await harness.value(
                "event.from", session, [.string("rolling_operation/" + run.stringValue!)], token, .double(600))
            token = batch["token"] ?? token
        }
    }

    private func isInFlight(_ record: RPCValue) -> Bool {
        guard case .structure(let states)? = record["host_states"] else { return false }
        return states.values.contains { !["pending", "done", "failed", "skipped"].contains($0.stringValue ?? "") }
    }

    private func states(_ record: RPCValue) -> [String] {
        guard case .structure(let states)? = record["host_states"] else { return [] }
        return states.values.compactMap(\.stringValue).sorted()
    }

    @Test("an upgrade: coordinator first, every host upgraded, every VM kept running and moved once, a database backup kept")
    func upgrade() async throws {
        let harness = try await ToolstackHarness(hosts: 4, hostMemory: 16 * Self.gib)
        let source = try HostUpgradeTests.releaseFolder()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let (hosts, vms) = try await pool(harness, session, vms: 8)
            let poolRef = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
            let run = try await harness.value("pool.plan_rolling_operation", session, poolRef, "upgrade", ["source": .string(source)])
            let planned = try await harness.value("Rolling_operation.get_record", session, run)
            #expect(planned["status"] == "planned")
            #expect(planned["prechecks"] == .array([]))
            _ = try await harness.value("Rolling_operation.start", session, run)
            let record = try await waitForRun(harness, session, run)
            #expect(record["status"] == "done", "\(record)")
            #expect(states(record) == ["done", "done", "done", "done"])
            for host in hosts {
                #expect(try await harness.value("host.get_software_version", session, host)["product_version"] == "8.5.0")
                #expect(try await harness.value("host.get_enabled", session, host) == true)
            }
            for vm in vms { #expect(try await harness.value("VM.get_power_state", session, vm) == "Running") }
            #expect(try await harness.value("pool.get_other_config", session, poolRef)["rolling_upgrade_in_progress"] == nil)
            // Each VM moved once: the plan's migrations equal its lower bound, and the run made them.
            let moves = record["moves_made"]?.arrayValue ?? []
            #expect(moves.count == Int(record["bounds"]?["migrations_lower_bound"]?.stringValue ?? "") ?? -1)
            let timeline = (record["timeline"]?.arrayValue ?? []).compactMap(\.stringValue)
            let coordinatorUUID = try await harness.value("host.get_uuid", session, hosts[0]).stringValue!
            let firstDone = try #require(timeline.first { $0.hasSuffix(" done") && !$0.contains("started") })
            #expect(firstDone.contains(coordinatorUUID))
            let backup = try #require(record["database_backup"]?.stringValue)
            #expect(FileManager.default.fileExists(atPath: backup))
        }
    }

    @Test("the coordinator's upgrade fails: the run stops, the coordinator keeps its release, its VMs come home")
    func coordinatorFails() async throws {
        let harness = try await ToolstackHarness(hosts: 3, hostMemory: 16 * Self.gib, fails: { $0 == "upgrade-install" })
        let source = try HostUpgradeTests.releaseFolder()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let (hosts, vms) = try await pool(harness, session, vms: 6)
            let poolRef = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
            let run = try await harness.value("pool.plan_rolling_operation", session, poolRef, "upgrade", ["source": .string(source)])
            _ = try await harness.value("Rolling_operation.start", session, run)
            let record = try await waitForRun(harness, session, run)
            #expect(record["status"] == "failed")
            #expect(record["error"]?.arrayValue?.first == "UPGRADE_FAILED")
            // The record still says what the run did, though the database came back from the dump
            // taken before: each of the coordinator's VMs left it and came home.
            let coordinatorUUID = try #require(try await harness.value("host.get_uuid", session, hosts[0]).stringValue)
            let moves = (record["moves_made"]?.arrayValue ?? []).compactMap(\.stringValue).map { $0.split(separator: ":").map(String.init) }
            let away = moves.filter { $0[1] == coordinatorUUID }, back = moves.filter { $0[2] == coordinatorUUID }
            #expect(!away.isEmpty && Set(away.map { $0[0] }) == Set(back.map { $0[0] }), "\(moves)")
            #expect(record["timeline"]?.arrayValue?.contains { $0.stringValue?.contains("evacuating") == true } == true)
            for host in hosts {
                #expect(try await harness.value("host.get_software_version", session, host)["product_version"] == "8.4.0")
                #expect(try await harness.value("host.get_enabled", session, host) == true)
            }
            for (index, vm) in vms.enumerated() {
                #expect(try await harness.value("VM.get_power_state", session, vm) == "Running")
                #expect(try await harness.value("VM.get_resident_on", session, vm) == hosts[index % hosts.count])
            }
            // The pool is as it was: another run can be planned.
            _ = try await harness.value("pool.plan_rolling_operation", session, poolRef, "reboot", [:])
        }
    }

    @Test("a member whose install fails twice is tried again and upgraded")
    func memberRetries() async throws {
        let installs = Mutex(0)
        // The first install is the coordinator's; the next two (a member's) fail.
        let harness = try await ToolstackHarness(
            hosts: 3, hostMemory: 16 * Self.gib,
            fails: { step in
                guard step == "upgrade-install" else { return false }
                return installs.withLock { count in
                    count += 1
                    return count == 2 || count == 3
                }
            })
        let source = try HostUpgradeTests.releaseFolder()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            _ = try await pool(harness, session, vms: 3)
            let poolRef = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
            let run = try await harness.value(
                "pool.plan_rolling_operation", session, poolRef, "upgrade", ["source": .string(source), "max_unavailable": "1"])
            _ = try await harness.value("Rolling_operation.start", session, run)
            let record = try await waitForRun(harness, session, run)
            #expect(record["status"] == "done", "\(record)")
            guard case .structure(let attempts)? = record["attempts"] else { throw XenAPIError.internalError(message: "no attempts") }
            #expect(attempts.values.sorted { "\($0)" < "\($1)" } == [.int(1), .int(1), .int(3)], "\(attempts)")
        }
    }

    @Test("a member that keeps failing stops the run with a record; retry carries it on")
    func stopAndRetry() async throws {
        let failing = Mutex(true)
        let installs = Mutex(0)
        let harness = try await ToolstackHarness(
            hosts: 2, hostMemory: 16 * Self.gib,
            fails: { step in
                guard step == "upgrade-install" else { return false }
                let count = installs.withLock { count in
                    count += 1
                    return count
                }
                return count > 1 && failing.withLock { $0 }
            })
        let source = try HostUpgradeTests.releaseFolder()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let (hosts, _) = try await pool(harness, session, vms: 2)
            let poolRef = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
            let run = try await harness.value(
                "pool.plan_rolling_operation", session, poolRef, "upgrade", ["source": .string(source), "retries": "1"])
            _ = try await harness.value("Rolling_operation.start", session, run)
            var record = try await waitForRun(harness, session, run)
            #expect(record["status"] == "failed")
            #expect(record["error"]?.arrayValue?.first == "UPGRADE_FAILED")
            #expect(record["host_states"]?[hosts[1].stringValue!] == "failed")
            #expect(try await harness.value("host.get_enabled", session, hosts[1]) == true)
            failing.withLock { $0 = false }
            _ = try await harness.value("Rolling_operation.retry", session, run)
            record = try await waitForRun(harness, session, run)
            #expect(record["status"] == "done")
            #expect(try await harness.value("host.get_software_version", session, hosts[1])["product_version"] == "8.5.0")
        }
    }

    @Test("blockers refuse the start; auto_fix disables HA for the run and enables it again; pause, resume and abort")
    func prechecksAndControl() async throws {
        let harness = try await ToolstackHarness(hosts: 3, hostMemory: 16 * Self.gib)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let (hosts, _) = try await pool(harness, session, vms: 3)
            let poolRef = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
            _ = try await harness.value("pool.enable_ha", session, [], [:])
            let stuck = try await makeVM(harness, session, name: "no tools", agent: false)
            _ = try await harness.value("VM.start_on", session, stuck, hosts[2], false, false)
            let run = try await harness.value("pool.plan_rolling_operation", session, poolRef, "reboot", [:])
            guard case .failure(let blocked) = await harness.call("Rolling_operation.start", session, run) else {
                Issue.record("blockers refuse the start")
                return
            }
            #expect(blocked.first == "ROLLING_OPERATION_BLOCKED")
            #expect(blocked.last?.contains("HA_IS_ENABLED") == true && blocked.last?.contains("VM_LACKS_FEATURE") == true)
            _ = try await harness.value("VM.hard_shutdown", session, stuck)
            let fixed = try await harness.value("pool.plan_rolling_operation", session, poolRef, "reboot", ["auto_fix": "true"])
            _ = try await harness.value("Rolling_operation.start", session, fixed)
            #expect(try await harness.value("pool.get_ha_enabled", session, poolRef) == false)
            #expect(await harness.call("pool.plan_rolling_operation", session, poolRef, "reboot", [:]) == .failure([
                "ROLLING_OPERATION_ACTIVE", fixed.stringValue!,
            ]))
            _ = try await harness.value("Rolling_operation.pause", session, fixed)
            var record = try await waitForRun(harness, session, fixed)
            #expect(record["status"] == "paused")
            #expect(!isInFlight(record))
            let done = states(record).filter { $0 == "done" }.count
            _ = try await harness.value("Rolling_operation.resume", session, fixed)
            _ = try await harness.value("Rolling_operation.abort", session, fixed)
            record = try await waitForRun(harness, session, fixed)
            #expect(record["status"] == "aborted")
            #expect(!isInFlight(record))
            #expect(states(record).filter { $0 == "done" }.count >= done)
            #expect(try await harness.value("pool.get_ha_enabled", session, poolRef) == true)
            for host in hosts { #expect(try await harness.value("host.get_enabled", session, host) == true) }
        }
    }
}
