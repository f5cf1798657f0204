import Testing
import XenAPI
import XenRPC
import XenSimulation
@testable import XenCore

@Suite("a pool of simulated hosts")
struct PoolTests {
    private static let gib: Int64 = 1 << 30
    private static let mib: Int64 = 1 << 20

    /// The pool's hosts, coordinator first, then by name.
    private func hosts(_ harness: ToolstackHarness, _ session: RPCValue) async throws -> [RPCValue] {
        let pool = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
        let master = try await harness.value("pool.get_master", session, pool)
        var others: [(String, RPCValue)] = []
        for host in try await harness.value("host.get_all", session).arrayValue ?? [] where host != master {
            others.append((try await harness.value("host.get_name_label", session, host).stringValue ?? "", host))
        }
        return [master] + others.sorted { $0.0 < $1.0 }.map(\.1)
    }

    private func free(_ harness: ToolstackHarness, _ session: RPCValue, _ host: RPCValue) async throws -> Int64 {
        let metrics = try await harness.value("host.get_metrics", session, host)
        return try Int64(rpcValue: try await harness.value("host_metrics.get_memory_free", session, metrics), field: "memory_free")
    }

    @Test("each host has its metrics, CPUs, control domain, management interface on the pool's one network, and Local storage")
    func bootstrap() async throws {
        let harness = try await ToolstackHarness(hosts: 4)
        let session = RPCValue.string(try await harness.login())
        let hosts = try await hosts(harness, session)
        #expect(hosts.count == 4)
        #expect(try await harness.value("host.get_name_label", session, hosts[1]) == "harness-2")
        let networks = try #require(try await harness.value("network.get_all", session).arrayValue)
        #expect(networks.count == 1)
        #expect(try await harness.value("network.get_bridge", session, networks[0]) == "xenbr0")
        #expect(try await harness.value("network.get_PIFs", session, networks[0]).arrayValue?.count == 4)
        for host in hosts {
            #expect(try await free(harness, session, host) == 60 * Self.gib)
            #expect(try await harness.value("host.get_host_CPUs", session, host).arrayValue?.count == 8)
            let pifs = try #require(try await harness.value("host.get_PIFs", session, host).arrayValue)
            #expect(pifs.count == 1)
            #expect(try await harness.value("PIF.get_management", session, pifs[0]) == true)
            let pbds = try #require(try await harness.value("host.get_PBDs", session, host).arrayValue)
            let sr = try await harness.value("PBD.get_SR", session, pbds[0])
            #expect(try await harness.value("SR.get_name_label", session, sr) == "Local storage")
            #expect(try await harness.value("SR.get_shared", session, sr) == false)
            let dom0 = try await harness.value("host.get_control_domain", session, host)
            #expect(try await harness.value("VM.get_resident_on", session, dom0) == host)
        }
        #expect(try await harness.value("SR.get_by_name_label", session, "Local storage").arrayValue?.count == 4)
    }

    @Test("a start without a host goes to its affinity, else to the host with most free memory; start_on checks the host")
    func placement() async throws {
        let harness = try await ToolstackHarness(hosts: 3, hostMemory: 20 * Self.gib)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let hosts = try await hosts(harness, session)
            let first = try await makeVM(harness, session, name: "first", memory: 10 * Self.gib)
            _ = try await harness.value("VM.set_affinity", session, first, hosts[2])
            _ = try await harness.value("VM.start", session, first, false, false)
            #expect(try await harness.value("VM.get_resident_on", session, first) == hosts[2])
            var residents: [RPCValue] = []
            for index in 0..<2 {
                let vm = try await makeVM(harness, session, name: "vm\(index)", memory: 10 * Self.gib)
                _ = try await harness.value("VM.start", session, vm, false, false)
                residents.append(try await harness.value("VM.get_resident_on", session, vm))
            }
            #expect(Set(residents.compactMap(\.stringValue)) == Set([hosts[0], hosts[1]].compactMap(\.stringValue)), "spread over the emptiest hosts")
            let big = try await makeVM(harness, session, name: "big", memory: 10 * Self.gib)
            // A 10 GiB, two-VCPU PV guest needs 84 MiB more (xapi's overhead); 16 GiB - 10 GiB - 84 MiB are left.
            let (needed, left) = (String(10 * Self.gib + 84 * Self.mib), String(6 * Self.gib - 84 * Self.mib))
            #expect(await harness.call("VM.start_on", session, big, hosts[2], false, false)
                == .failure(["HOST_NOT_ENOUGH_FREE_MEMORY", needed, left]))
            #expect(await harness.call("VM.start", session, big, false, false)
                == .failure(["HOST_NOT_ENOUGH_FREE_MEMORY", needed, left]))
            #expect(await harness.call("VM.assert_can_boot_here", session, big, hosts[1])
                == .failure(["HOST_NOT_ENOUGH_FREE_MEMORY", needed, left]))
            #expect(try await harness.value("VM.get_scheduled_to_be_resident_on", session, big) == .string(OpaqueRef.null))
            let small = try await makeVM(harness, session, name: "small", memory: 1 * Self.gib)
            for host in hosts { _ = try await harness.value("host.disable", session, host) }
            #expect(await harness.call("VM.start", session, small, false, false) == .failure(["NO_HOSTS_AVAILABLE"]))
            #expect(await harness.call("VM.start_on", session, small, hosts[1], false, false)
                == .failure(["HOST_DISABLED", hosts[1].stringValue!]))
            _ = try await harness.value("host.enable", session, hosts[1])
            _ = try await harness.value("VM.start_on", session, small, hosts[1], false, false)
            #expect(try await harness.value("VM.get_resident_on", session, small) == hosts[1])
            #expect(await Invariants.violations(harness.toolstack.services) == [])
        }
    }

    @Test("pool_migrate moves a running guest with its address; its memory moves with it; a guest without tools stays put")
    func migration() async throws {
        let harness = try await ToolstackHarness(hosts: 2)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let hosts = try await hosts(harness, session)
            let vm = try await makeVM(harness, session, memory: 4 * Self.gib)
            _ = try await harness.value("VM.start_on", session, vm, hosts[0], false, false)
            let address = try await harness.value(
                "VM_guest_metrics.get_networks", session, try await harness.value("VM.get_guest_metrics", session, vm))
            _ = try await harness.value("VM.pool_migrate", session, vm, hosts[1], ["live": "true"])
            #expect(try await harness.value("VM.get_resident_on", session, vm) == hosts[1])
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Running")
            #expect(try await harness.value(
                "VM_guest_metrics.get_networks", session, try await harness.value("VM.get_guest_metrics", session, vm)) == address)
            #expect(try await free(harness, session, hosts[0]) == 60 * Self.gib)
            #expect(try await free(harness, session, hosts[1]) == 56 * Self.gib - 36 * Self.mib, "4 GiB and its 36 MiB overhead")
            let uuid = try #require(try await harness.value("VM.get_uuid", session, vm).stringValue)
            #expect(await harness.machines.hypervisors[0].stat(uuid) == nil)
            let stat = try #require(await harness.machines.hypervisors[1].stat(uuid))
            #expect(stat.state == .running)
            #expect(try await harness.value("VM.get_domid", session, vm) == .int(stat.domid), "the destination's domain id")

            let deaf = try await makeVM(harness, session, name: "deaf", agent: false)
            _ = try await harness.value("VM.start_on", session, deaf, hosts[0], false, false)
            #expect(try await harness.value("VM.get_allowed_operations", session, deaf).arrayValue?.contains("pool_migrate") == false)
            #expect(await harness.call("VM.pool_migrate", session, deaf, hosts[1], [:])
                == .failure(["VM_MISSING_PV_DRIVERS", deaf.stringValue!]))
            #expect(try await harness.value("VM.get_resident_on", session, deaf) == hosts[0])
            #expect(try await harness.value("VM.get_power_state", session, deaf) == "Running")
            #expect(await Invariants.violations(harness.toolstack.services) == [], "no half-made domain left on the destination")
        }
    }

    @Test("a migration whose transfer fails leaves the guest running where it was")
    func failedMigration() async throws {
        let harness = try await ToolstackHarness(hosts: 2, fails: { $0 == "send_migration" })
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let hosts = try await hosts(harness, session)
            let vm = try await makeVM(harness, session)
            _ = try await harness.value("VM.start_on", session, vm, hosts[0], false, false)
            guard case .failure(let error) = await harness.call("VM.pool_migrate", session, vm, hosts[1], [:]) else {
                Issue.record("the migration should have failed")
                return
            }
            #expect(error.first == "INTERNAL_ERROR")
            #expect(try await harness.value("VM.get_resident_on", session, vm) == hosts[0])
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Running")
            #expect(await Invariants.violations(harness.toolstack.services) == [])
        }
    }

    @Test("pool_migrate to the host a VM is on moves its guest into a new domain there, as xapi's localhost migration does")
    func localMigration() async throws {
        let harness = try await ToolstackHarness(hosts: 1)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let host = try #require(try await hosts(harness, session).first)
            let vm = try await makeVM(harness, session, memory: 4 * Self.gib)
            _ = try await harness.value("VM.start_on", session, vm, host, false, false)
            let domid = try await harness.value("VM.get_domid", session, vm)
            let freeBefore = try await free(harness, session, host)
            _ = try await harness.value("VM.pool_migrate", session, vm, host, ["live": "true"])
            #expect(try await harness.value("VM.get_resident_on", session, vm) == host)
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Running")
            let uuid = try #require(try await harness.value("VM.get_uuid", session, vm).stringValue)
            let stat = try #require(await harness.machines.hypervisors[0].stat(uuid))
            #expect(stat.state == .running)
            #expect(try await harness.value("VM.get_domid", session, vm) == .int(stat.domid))
            #expect(.int(stat.domid) != domid, "a new domain")
            #expect(await harness.machines.hypervisors[0].stat(uuid + "-departing") == nil)
            #expect(try await free(harness, session, host) == freeBefore)

            // Without room for a second copy of its memory, it cannot.
            let big = try await makeVM(harness, session, name: "big", memory: 40 * Self.gib)
            _ = try await harness.value("VM.start_on", session, big, host, false, false)
            guard case .failure(let error) = await harness.call("VM.pool_migrate", session, big, host, [:]) else {
                Issue.record("a migration without the memory for it should fail")
                return
            }
            #expect(error.first == "HOST_NOT_ENOUGH_FREE_MEMORY")
            #expect(await Invariants.violations(harness.toolstack.services) == [])
        }
    }

    @Test("a same-host migration whose transfer fails gives the guest's domain its name back, still running")
    func failedLocalMigration() async throws {
        let harness = try await ToolstackHarness(hosts: 1, fails: { $0 == "send_migration" })
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let host = try #require(try await hosts(harness, session).first)
            let vm = try await makeVM(harness, session)
            _ = try await harness.value("VM.start_on", session, vm, host, false, false)
            let domid = try await harness.value("VM.get_domid", session, vm)
            guard case .failure = await harness.call("VM.pool_migrate", session, vm, host, [:]) else {
                Issue.record("the migration should have failed")
                return
            }
            let uuid = try #require(try await harness.value("VM.get_uuid", session, vm).stringValue)
            #expect(await harness.machines.hypervisors[0].stat(uuid)?.state == .running)
            #expect(await harness.machines.hypervisors[0].stat(uuid + "-departing") == nil)
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Running")
            #expect(try await harness.value("VM.get_domid", session, vm) == domid, "the guest's own domain")
            #expect(await Invariants.violations(harness.toolstack.services) == [])
        }
    }

    @Test("evacuating a loaded host moves every VM without over-committing any host; what prevents it is named per VM")
    func evacuation() async throws {
        let harness = try await ToolstackHarness(hosts: 4, hostMemory: 36 * Self.gib)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let hosts = try await hosts(harness, session)
            // 32 GiB free per host: the first is filled with 6 + 6 + 5 + 5 + 4 + 4 GiB.
            var evacuees: [RPCValue] = []
            for (index, size) in [6, 6, 5, 5, 4, 4].enumerated() {
                let vm = try await makeVM(harness, session, name: "load\(index)", memory: Int64(size) * Self.gib)
                _ = try await harness.value("VM.start_on", session, vm, hosts[0], false, false)
                evacuees.append(vm)
            }
            // The others are left 12, 11 and 10 GiB free: 33 for 30, if well packed.
            for (host, used) in zip(hosts.dropFirst(), [20, 21, 22]) {
                let vm = try await makeVM(harness, session, name: "other", memory: Int64(used) * Self.gib)
                _ = try await harness.value("VM.start_on", session, vm, host, false, false)
            }
            #expect(try await harness.value("host.get_vms_which_prevent_evacuation", session, hosts[0]) == [:])
            _ = try await harness.value("host.assert_can_evacuate", session, hosts[0])
            _ = try await harness.value("host.evacuate", session, hosts[0])
            for vm in evacuees {
                let host = try await harness.value("VM.get_resident_on", session, vm)
                #expect(host != hosts[0])
                #expect(try await harness.value("VM.get_power_state", session, vm) == "Running")
            }
            for host in hosts.dropFirst() { #expect(try await free(harness, session, host) >= 0) }
            #expect(await Invariants.violations(harness.toolstack.services) == [])

            let deaf = try await makeVM(harness, session, name: "deaf", memory: 1 * Self.gib, agent: false)
            _ = try await harness.value("VM.start_on", session, deaf, hosts[0], false, false)
            let huge = try await makeVM(harness, session, name: "huge", memory: 20 * Self.gib)
            _ = try await harness.value("VM.start_on", session, huge, hosts[0], false, false)
            let reasons = try await harness.value("host.get_vms_which_prevent_evacuation", session, hosts[0])
            let byVM = Dictionary(uniqueKeysWithValues: (reasons.structureValue ?? [:]).map { ($0.key, $0.value) })
            #expect(byVM == [
                deaf.stringValue!: ["VM_LACKS_FEATURE", deaf], huge.stringValue!: ["HOST_NOT_ENOUGH_FREE_MEMORY", huge],
            ])
            guard case .failure(let cannot) = await harness.call("host.assert_can_evacuate", session, hosts[0]) else {
                Issue.record("the host cannot be evacuated")
                return
            }
            #expect(cannot.first == "CANNOT_EVACUATE_HOST")
            #expect(await harness.call("host.evacuate", session, hosts[0]) == .failure(["HOST_NOT_ENOUGH_FREE_MEMORY", huge.stringValue!]))
            #expect(try await harness.value("VM.get_resident_on", session, huge) == hosts[0])
        }
    }

    @Test("a host reboots only disabled and empty, is not live meanwhile, and comes back enabled")
    func reboot() async throws {
        let harness = try await ToolstackHarness(hosts: 2)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let hosts = try await hosts(harness, session)
            #expect(await harness.call("host.reboot", session, hosts[1]) == .failure(["HOST_NOT_DISABLED"]))
            let vm = try await makeVM(harness, session)
            _ = try await harness.value("VM.start_on", session, vm, hosts[1], false, false)
            _ = try await harness.value("host.disable", session, hosts[1])
            #expect(await harness.call("host.reboot", session, hosts[1]) == .failure(["HOST_IN_USE", hosts[1].stringValue!, "vm", vm.stringValue!]))
            _ = try await harness.value("host.evacuate", session, hosts[1])
            #expect(try await harness.value("VM.get_resident_on", session, vm) == hosts[0])
            _ = try await harness.value("host.reboot", session, hosts[1])
            let metrics = try await harness.value("host.get_metrics", session, hosts[1])
            #expect(try await harness.value("host_metrics.get_live", session, metrics) == false)
            #expect(try await harness.value("host.get_allowed_operations", session, hosts[1]) == [])
            #expect(await harness.call("VM.pool_migrate", session, vm, hosts[1], [:]) == .failure(["HOST_NOT_LIVE"]))
            try await harness.seeded.environment.sleep(.seconds(31))
            #expect(try await harness.value("host_metrics.get_live", session, metrics) == true)
            #expect(try await harness.value("host.get_enabled", session, hosts[1]) == true)
            #expect(try await harness.value("host.get_allowed_operations", session, hosts[1]).arrayValue?.contains("reboot") == true)
        }
    }
}
