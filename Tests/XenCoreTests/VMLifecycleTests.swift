import Testing
import XenAPI
import XenBackend
import XenRPC
import XenSimulation
@testable import XenCore

@Suite("VM lifecycle")
struct VMLifecycleTests {
    private static let gib: Int64 = 1 << 30
    private static let mib: Int64 = 1 << 20
    /// xapi's overhead of the 2 GiB, two-VCPU PV guests `makeVM` makes: 1 MiB of padding, 18 of
    /// shadow ((512 + 2 × 2048) pages) and 1 for Xen's per-VCPU pages.
    private static let overhead2G: Int64 = 20 * mib
    /// What a halted VM allows.
    static let halted: RPCValue = [
        "start", "start_on", "clone", "copy", "snapshot", "changing_VCPUs", "changing_memory_limits",
        "changing_static_range", "changing_dynamic_range", "destroy",
    ]

    @Test("operations are plans of atomic steps")
    func plans() {
        #expect(VMPlans.start(paused: false).steps == [.createDomain, .buildDomain, .unpauseDomain])
        #expect(VMPlans.start(paused: true).steps == [.createDomain, .buildDomain])
        #expect(VMPlans.cleanShutdown().steps == [
            .requestShutdown(.poweroff), .waitShutdown(timeout: .seconds(1200)), .destroyDomain,
        ])
        #expect(VMPlans.hardShutdown(suspended: false).steps == [.destroyDomain])
        #expect(VMPlans.hardShutdown(suspended: true).steps == [.discardSavedImage])
        #expect(VMPlans.cleanReboot().steps == [
            .requestShutdown(.reboot), .waitShutdown(timeout: .seconds(1200)), .destroyDomain, .createDomain,
            .buildDomain, .unpauseDomain,
        ])
        #expect(VMPlans.hardReboot().steps == [.destroyDomain, .createDomain, .buildDomain, .unpauseDomain])
        #expect(VMPlans.suspend().steps == [.saveDomain, .destroyDomain])
        #expect(VMPlans.resume(paused: false).steps == [.createDomain, .restoreDomain, .unpauseDomain])
        #expect(VMPlans.poolMigrate() == .serial([
            .step(.createDomain, on: .destination), .step(.receiveMigration, on: .destination), .step(.sendMigration),
            .step(.unpauseDomain, on: .destination), .step(.destroyDomain),
        ]))
    }

    @Test("start, pause, unpause and hard shutdown move the power state, domid and residence")
    func powerCycle() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let vm = try await makeVM(harness, session)
            #expect(try await harness.value("VM.get_allowed_operations", session, vm) == Self.halted,
                    "true from the moment the VM is made")
            let host = try await harness.value("pool.get_master", session, try #require(try await harness.value("pool.get_all", session).arrayValue?.first))
            let metrics = try await harness.value("host.get_metrics", session, host)
            let freeBefore = try await harness.value("host_metrics.get_memory_free", session, metrics)
            _ = try await harness.value("VM.start", session, vm, false, false)
            #expect(try await harness.value("host_metrics.get_memory_free", session, metrics)
                == .int(try Int64(rpcValue: freeBefore, field: "memory_free") - 2 * Self.gib - Self.overhead2G))
            #expect(await harness.call("VM.destroy", session, vm)
                == .failure(["VM_BAD_POWER_STATE", vm.stringValue!, "halted, suspended", "running"]))
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Running")
            #expect(try await harness.value("VM.get_resident_on", session, vm) == host)
            #expect(try await harness.value("VM.get_domid", session, vm) == .int(1))
            #expect(try await harness.value("VM.get_allowed_operations", session, vm)
                == ["hard_shutdown", "clean_shutdown", "shutdown", "clean_reboot", "hard_reboot", "suspend", "pause", "pool_migrate", "snapshot", "changing_dynamic_range", "changing_VCPUs_live"])
            #expect(try await harness.value("VM.get_current_operations", session, vm) == [:])
            #expect(await harness.call("VM.start", session, vm, false, false)
                == .failure(["VM_BAD_POWER_STATE", vm.stringValue!, "halted", "running"]))
            _ = try await harness.value("VM.pause", session, vm)
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Paused")
            #expect(await harness.call("VM.clean_shutdown", session, vm)
                == .failure(["VM_BAD_POWER_STATE", vm.stringValue!, "running", "paused"]))
            _ = try await harness.value("VM.unpause", session, vm)
            _ = try await harness.value("VM.hard_shutdown", session, vm)
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Halted")
            #expect(try await harness.value("VM.get_domid", session, vm) == .int(-1))
            #expect(try await harness.value("VM.get_resident_on", session, vm) == .string(OpaqueRef.null))
            #expect(try await harness.value("VM.get_allowed_operations", session, vm) == Self.halted)
            #expect(try await harness.value("host_metrics.get_memory_free", session, metrics) == freeBefore)
            _ = try await harness.value("VM.start", session, vm, true, false)
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Paused")
            #expect(try await harness.value("VM.get_domid", session, vm) == .int(2), "a new domain on each boot")
            _ = try await harness.value("VM.hard_shutdown", session, vm)
            let vmMetrics = try await harness.value("VM.get_metrics", session, vm)
            _ = try await harness.value("VM.destroy", session, vm)
            #expect(await harness.call("VM.get_record", session, vm) == .failure(["HANDLE_INVALID", "VM", vm.stringValue!]))
            if vmMetrics != .string(OpaqueRef.null) {
                #expect(await harness.call("VM_metrics.get_record", session, vmMetrics)
                    == .failure(["HANDLE_INVALID", "VM_metrics", vmMetrics.stringValue!]))
            }
        }
    }

    @Test("a clean shutdown needs something in the guest to hear it, and takes the guest's time")
    func cleanShutdown() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let deaf = try await makeVM(harness, session, agent: false)
            _ = try await harness.value("VM.start", session, deaf, false, false)
            #expect(await harness.call("VM.clean_shutdown", session, deaf)
                == .failure(["VM_MISSING_PV_DRIVERS", deaf.stringValue!]))
            #expect(try await harness.value("VM.get_power_state", session, deaf) == "Running")
            let vm = try await makeVM(harness, session)
            _ = try await harness.value("VM.start", session, vm, false, false)
            let before = harness.seeded.virtualTime
            _ = try await harness.value("VM.clean_shutdown", session, vm)
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Halted")
            #expect(harness.seeded.virtualTime - before >= .seconds(2), "the guest took its time to shut down")
        }
    }

    @Test("reboots give the VM a new domain; suspend frees its memory and resume carries on")
    func rebootSuspendResume() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let vm = try await makeVM(harness, session)
            _ = try await harness.value("VM.start", session, vm, false, false)
            _ = try await harness.value("VM.clean_reboot", session, vm)
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Running")
            #expect(try await harness.value("VM.get_domid", session, vm) == .int(2))
            _ = try await harness.value("VM.hard_reboot", session, vm)
            #expect(try await harness.value("VM.get_domid", session, vm) == .int(3))
            let hypervisor = harness.machines.hypervisors[0]
            let freeRunning = try await hypervisor.hostFacts().freeMemory
            _ = try await harness.value("VM.suspend", session, vm)
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Suspended")
            #expect(try await harness.value("VM.get_domid", session, vm) == .int(-1))
            #expect(try await harness.value("VM.get_resident_on", session, vm) == .string(OpaqueRef.null))
            #expect(try await harness.value("VM.get_allowed_operations", session, vm)
                == ["hard_shutdown", "shutdown", "resume", "resume_on", "snapshot", "destroy"])
            #expect(try await hypervisor.hostFacts().freeMemory == freeRunning + 2 * Self.gib + Self.overhead2G)
            _ = try await harness.value("VM.resume", session, vm, false, false)
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Running")
            _ = try await harness.value("VM.suspend", session, vm)
            _ = try await harness.value("VM.hard_shutdown", session, vm)
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Halted")
            #expect(await harness.call("VM.resume", session, vm, false, false)
                == .failure(["VM_BAD_POWER_STATE", vm.stringValue!, "suspended", "halted"]))
            let deaf = try await makeVM(harness, session, agent: false)
            _ = try await harness.value("VM.start", session, deaf, false, false)
            #expect(await harness.call("VM.suspend", session, deaf) == .failure(["VM_MISSING_PV_DRIVERS", deaf.stringValue!]))
            #expect(await harness.call("VM.clean_reboot", session, deaf) == .failure(["VM_MISSING_PV_DRIVERS", deaf.stringValue!]))
            #expect(try await harness.value("VM.get_power_state", session, deaf) == "Running")
        }
    }

    @Test("the simulated guest agent reports an address per interface while the guest runs")
    func guestMetrics() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let vm = try await makeVM(harness, session)
            let network = try await harness.value(
                "network.create", session, ["name_label": "lan", "name_description": "", "MTU": "1500", "other_config": [:]])
            for device in ["0", "1"] {
                _ = try await harness.value(
                    "VIF.create", session,
                    ["device": .string(device), "network": network, "VM": vm, "MAC": "", "MTU": "1500",
                     "other_config": [:], "qos_algorithm_type": "", "qos_algorithm_params": [:]])
            }
            #expect(try await harness.value("VM.get_guest_metrics", session, vm) == .string(OpaqueRef.null))
            _ = try await harness.value("VM.start", session, vm, false, false)
            let metrics = try await harness.value("VM.get_guest_metrics", session, vm)
            let networks = try await harness.value("VM_guest_metrics.get_networks", session, metrics)
            #expect(networks == ["0/ip": "198.18.0.16", "1/ip": "198.18.0.17"])
            #expect(try await harness.value("VM_guest_metrics.get_PV_drivers_detected", session, metrics) == true)
            _ = try await harness.value("VM.hard_reboot", session, vm)
            let rebooted = try await harness.value("VM.get_guest_metrics", session, vm)
            #expect(try await harness.value("VM_guest_metrics.get_networks", session, rebooted)["0/ip"] == "198.18.0.16", "a lease keeps its address")
            _ = try await harness.value("VM.hard_shutdown", session, vm)
            #expect(try await harness.value("VM.get_guest_metrics", session, vm) == .string(OpaqueRef.null))
            #expect(await harness.call("VM_guest_metrics.get_record", session, rebooted)
                == .failure(["HANDLE_INVALID", "VM_guest_metrics", rebooted.stringValue!]))
            let deaf = try await makeVM(harness, session, agent: false)
            _ = try await harness.value("VM.start", session, deaf, false, false)
            #expect(try await harness.value("VM.get_guest_metrics", session, deaf) == .string(OpaqueRef.null))
        }
    }

    @Test("shutdown is clean when the guest can hear it, hard otherwise")
    func shutdownFallsBack() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let deaf = try await makeVM(harness, session, agent: false)
            _ = try await harness.value("VM.start", session, deaf, false, false)
            let before = harness.seeded.virtualTime
            _ = try await harness.value("VM.shutdown", session, deaf)
            #expect(try await harness.value("VM.get_power_state", session, deaf) == "Halted")
            #expect(harness.seeded.virtualTime - before < .seconds(1), "no wait for a guest that cannot hear")
            let vm = try await makeVM(harness, session)
            _ = try await harness.value("VM.start", session, vm, false, false)
            let cleanStart = harness.seeded.virtualTime
            _ = try await harness.value("VM.shutdown", session, vm)
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Halted")
            #expect(harness.seeded.virtualTime - cleanStart >= .seconds(2), "the guest shut itself down")
        }
    }

    @Test("after a restart, VMs whose domains are gone are halted and a disabled host comes back enabled unless told otherwise; the host reports its time and free memory")
    func reconciliation() async throws {
        let storage = MemorySimulationStorage()
        let harness = try await ToolstackHarness(machines: storage)
        let database = harness.toolstack.services.database
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let vm = try await makeVM(harness, session)
            _ = try await harness.value("VM.start", session, vm, false, false)
            let host = try await harness.value("VM.get_resident_on", session, vm)
            #expect(try await harness.value("host.compute_free_memory", session, host) == .int(58 * Self.gib - Self.overhead2G))
            #expect(try await harness.value("host.get_servertime", session, host) == .dateTime("20260101T00:00:00Z"))
        }
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let host = try await harness.value("pool.get_master", session, try #require(try await harness.value("pool.get_all", session).arrayValue?.first))
            let vm = try await makeVM(harness, session)
            _ = try await harness.value("host.disable", session, host)
            #expect(try await harness.value("host.get_enabled", session, host) == false)
            #expect(await harness.call("VM.start", session, vm, false, false) == .failure(["NO_HOSTS_AVAILABLE"]))
            #expect(await harness.call("VM.start_on", session, vm, host, false, false) == .failure(["HOST_DISABLED", host.stringValue!]))
            _ = try await harness.value("VM.destroy", session, vm)
        }
        // The database outlives the process; the domains do not survive the machine losing power.
        harness.machines.hypervisors[0].powerCycle()
        let restarted = try await ToolstackHarness(seed: 2, database: database, machines: storage)
        try await restarted.run {
            let session = RPCValue.string(try await restarted.login())
            let vm = try #require(try await restarted.value("VM.get_by_name_label", session, "test").arrayValue?.first)
            #expect(try await restarted.value("VM.get_power_state", session, vm) == "Halted")
            #expect(try await restarted.value("VM.get_domid", session, vm) == .int(-1))
            #expect(try await restarted.value("VM.get_resident_on", session, vm) == .string(OpaqueRef.null))
            #expect(try await restarted.value("VM.get_guest_metrics", session, vm) == .string(OpaqueRef.null))
            #expect(try await restarted.value("VM.get_allowed_operations", session, vm)
                == Self.halted)
            let host = try await restarted.value("pool.get_master", session, try #require(try await restarted.value("pool.get_all", session).arrayValue?.first))
            #expect(try await restarted.value("host.get_enabled", session, host) == true, "auto_enable")
            _ = try await restarted.value("VM.start", session, vm, false, false)
            _ = try await restarted.value("host.disable", session, host, false)
        }
        let again = try await ToolstackHarness(seed: 3, database: database)
        try await again.run {
            let session = RPCValue.string(try await again.login())
            let host = try await again.value("pool.get_master", session, try #require(try await again.value("pool.get_all", session).arrayValue?.first))
            #expect(try await again.value("host.get_enabled", session, host) == false, "disabled for good")
            _ = try await again.value("host.enable", session, host)
            #expect(try await again.value("host.get_enabled", session, host) == true)
        }
    }

    @Test("VMs keep running across a restart when the hypervisor's domains outlive the toolstack")
    func survivingDomains() async throws {
        let storage = MemorySimulationStorage()
        let harness = try await ToolstackHarness(machines: storage)
        let database = harness.toolstack.services.database
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let vm = try await makeVM(harness, session)
            _ = try await harness.value("VM.start", session, vm, false, false)
        }
        let restarted = try await ToolstackHarness(seed: 2, database: database, machines: storage)
        try await restarted.run {
            let session = RPCValue.string(try await restarted.login())
            let vm = try #require(try await restarted.value("VM.get_by_name_label", session, "test").arrayValue?.first)
            #expect(try await restarted.value("VM.get_power_state", session, vm) == "Running")
            #expect(try await restarted.value("VM.get_domid", session, vm) == .int(1))
            _ = try await restarted.value("VM.clean_shutdown", session, vm)
            _ = try await restarted.value("VM.start", session, vm, false, false)
            #expect(try await restarted.value("VM.get_domid", session, vm) == .int(2), "domain ids carry on")
        }
    }

    @Test("memory runs out: a start that does not fit is refused with what it needed and what was free")
    func memory() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let huge = try await makeVM(harness, session, memory: 100 * Self.gib)
            let free = 64 * Self.gib - 4 * Self.gib
            #expect(await harness.call("VM.start", session, huge, false, false)
                == .failure(["HOST_NOT_ENOUGH_FREE_MEMORY", String(100 * Self.gib + 804 * Self.mib), String(free)]))
            #expect(try await harness.value("VM.get_power_state", session, huge) == "Halted")
            let big = try await makeVM(harness, session, memory: 40 * Self.gib)
            _ = try await harness.value("VM.start", session, big, false, false)
            let second = try await makeVM(harness, session, memory: 40 * Self.gib)
            #expect(await harness.call("VM.start", session, second, false, false)
                == .failure([
                    "HOST_NOT_ENOUGH_FREE_MEMORY", String(40 * Self.gib + 324 * Self.mib), String(free - 40 * Self.gib - 324 * Self.mib),
                ]))
        }
    }

    @Test("a step that fails part-way leaves no domain, no lock and the VM halted")
    func faultDuringStart() async throws {
        let harness = try await ToolstackHarness(fails: { $0 == "build" })
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let vm = try await makeVM(harness, session)
            guard case .failure(let description) = await harness.call("VM.start", session, vm, false, false) else {
                Issue.record("the start should have failed")
                return
            }
            #expect(description.first == "INTERNAL_ERROR")
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Halted")
            #expect(try await harness.value("VM.get_current_operations", session, vm) == [:])
            #expect(try await harness.value("VM.get_allowed_operations", session, vm) == Self.halted)
            let uuid = try await harness.value("VM.get_uuid", session, vm).stringValue!
            #expect(await harness.machines.hypervisors[0].stat(uuid) == nil)
        }
    }

    @Test("templates do not start, and blocked operations are refused with their reason")
    func refusals() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let vm = try await makeVM(harness, session)
            _ = try await harness.value("VM.add_to_blocked_operations", session, vm, "start", "maintenance")
            #expect(await harness.call("VM.start", session, vm, false, false)
                == .failure(["OPERATION_BLOCKED", vm.stringValue!, "maintenance"]))
            _ = try await harness.value("VM.remove_from_blocked_operations", session, vm, "start")
            _ = try await harness.value("VM.set_is_a_template", session, vm, true)
            #expect(await harness.call("VM.start", session, vm, false, false)
                == .failure(["VM_IS_TEMPLATE", vm.stringValue!, "start"]))
            _ = try await harness.value("VM.destroy", session, vm)
        }
    }
}
