import Testing
import XenAPI
import XenRPC
@testable import XenCore

@Suite("templates, copies and device rules")
struct TemplateTests {
    private static let gib: Int64 = 1 << 30

    private func template(_ harness: ToolstackHarness, _ session: RPCValue, _ name: String) async throws -> RPCValue {
        try #require(try await harness.value("VM.get_by_name_label", session, .string(name)).arrayValue?.first)
    }

    private func localSR(_ harness: ToolstackHarness, _ session: RPCValue) async throws -> RPCValue {
        let pool = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
        return try await harness.value("pool.get_default_SR", session, pool)
    }

    @Test("the catalogue is installed once; a default template cannot start or be destroyed")
    func catalogue() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        let templates = try #require(try await harness.value(
            "VM.get_all_records_where", session, #"field "is_a_template"="true""#).structureValue)
        #expect(templates.count == TemplateCatalogue.all.count)
        let debian = try await template(harness, session, "Debian Bookworm 12")
        let record = try await harness.value("VM.get_record", session, debian)
        #expect(record["is_default_template"] == true)
        #expect(record["other_config"]?["default_template"] == "true")
        #expect(record["other_config"]?["disks"]?.stringValue?.contains(#"size="10737418240" sr="""#) == true)
        #expect(record["HVM_boot_policy"] == "BIOS order")
        #expect(record["recommendations"]?.stringValue?.contains(#"property="number-of-vifs""#) == true)
        #expect(await harness.call("VM.start", session, debian, false, false) == .failure(["VM_IS_TEMPLATE", debian.stringValue!, "start"]))
        #expect(await harness.call("VM.destroy", session, debian) == .failure(["VM_IS_TEMPLATE", debian.stringValue!, "destroy"]))
        let windows = try await template(harness, session, "Windows Server 2022 (64-bit)")
        #expect(try await harness.value("VM.get_platform", session, windows)["viridian"] == "true")
    }

    @Test("install: a clone of a template stays one until provision makes its disks; then it starts")
    func install() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let debian = try await template(harness, session, "Debian Bookworm 12")
            let vm = try await harness.value("VM.clone", session, debian, "web1")
            let record = try await harness.value("VM.get_record", session, vm)
            #expect(record["is_a_template"] == true)
            #expect(record["is_default_template"] == false)
            #expect(record["other_config"]?["default_template"] == nil)
            #expect(record["other_config"]?["base_template_name"] == "Debian Bookworm 12")
            #expect(record["other_config"]?["mac_seed"] != (try await harness.value("VM.get_other_config", session, debian))["mac_seed"])
            #expect(await harness.call("VM.provision", session, vm) == .failure(["UUID_INVALID", "sr", ""]),
                    "the template's sr is left for the installer to fill in")
            #expect(try await harness.value("VM.get_is_a_template", session, vm) == true, "a failed provision changes nothing")
            let sr = try await localSR(harness, session)
            let srUUID = try await harness.value("SR.get_uuid", session, sr)
            let disks = try #require(record["other_config"]?["disks"]?.stringValue)
            _ = try await harness.value("VM.remove_from_other_config", session, vm, "disks")
            _ = try await harness.value("VM.add_to_other_config", session, vm, "disks", .string(disks.replacingOccurrences(of: #"sr="""#, with: #"sr="\#(srUUID.stringValue!)""#)))
            _ = try await harness.value("VM.provision", session, vm)
            #expect(try await harness.value("VM.get_is_a_template", session, vm) == false)
            #expect(try await harness.value("VM.get_other_config", session, vm)["disks"] == nil)
            let vbds = try #require(try await harness.value("VM.get_VBDs", session, vm).arrayValue)
            #expect(vbds.count == 1)
            let vdi = try await harness.value("VBD.get_VDI", session, vbds[0])
            #expect(try await harness.value("VDI.get_virtual_size", session, vdi) == .int(10 * Self.gib))
            #expect(try await harness.value("VDI.get_name_description", session, vdi) == "Created by template provisioner")
            #expect(try await harness.value("VDI.get_SR", session, vdi) == sr)
            #expect(await harness.call("VM.provision", session, vm) == .failure(["PROVISION_ONLY_ALLOWED_ON_TEMPLATE"]))
            _ = try await harness.value("VM.start", session, vm, false, false)
            #expect(try await harness.value("VBD.get_currently_attached", session, vbds[0]) == true)
            #expect(await harness.call("VM.clone", session, vm, "again")
                == .failure(["VM_BAD_POWER_STATE", vm.stringValue!, "halted", "running"]))
            _ = try await harness.value("VM.hard_shutdown", session, vm)
            #expect(try await harness.value("VBD.get_currently_attached", session, vbds[0]) == false)
            let copy = try await harness.value("VM.copy", session, vm, "web2", sr)
            let copyDisk = try await harness.value("VBD.get_VDI", session, try #require(try await harness.value("VM.get_VBDs", session, copy).arrayValue?.first))
            #expect(copyDisk != vdi)
            #expect(try await harness.value("VDI.get_parent", session, copyDisk) == .string(OpaqueRef.null), "a full copy")
            _ = try await harness.value("VM.destroy", session, vm)
            #expect(try await harness.value("VDI.get_uuid", session, vdi).stringValue != nil, "destroying a VM keeps its disks")
        }
    }

    @Test("VIFs: a MAC from the VM's seed when none is given, one given kept as given, bad ones and slots refused")
    func interfaces() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        let vm = try await makeVM(harness, session)
        let network = try #require(try await harness.value("network.get_all", session).arrayValue?.first)
        func vif(_ device: String, _ mac: String) async -> CallResult {
            await harness.call("VIF.create", session, [
                "device": .string(device), "network": network, "VM": vm, "MAC": .string(mac), "MTU": "1500",
                "other_config": [:], "qos_algorithm_type": "", "qos_algorithm_params": [:],
            ])
        }
        guard case .success(let generated) = await vif("0", "") else { Issue.record("VIF.create failed"); return }
        let seed = try #require(try await harness.value("VM.get_other_config", session, vm)["mac_seed"]?.stringValue)
        #expect(try await harness.value("VIF.get_MAC", session, generated) == .string(DeviceSlots.mac(slot: 0, seed: seed)))
        #expect(try await harness.value("VIF.get_MAC_autogenerated", session, generated) == true)
        guard case .success(let given) = await vif("1", "AA:bb:CC:00:11:22") else { Issue.record("VIF.create failed"); return }
        #expect(try await harness.value("VIF.get_MAC", session, given) == "AA:bb:CC:00:11:22")
        #expect(await vif("2", "aa:bb:cc:00:11") == .failure(["MAC_INVALID", "aa:bb:cc:00:11"]))
        #expect(await vif("1", "") == .failure(["DEVICE_ALREADY_EXISTS", "1"]))
        #expect(await vif("16", "") == .failure(["INVALID_DEVICE", "16"]))
        #expect(await vif("eth0", "") == .failure(["INVALID_DEVICE", "eth0"]))
        #expect(try await harness.value("VIF.get_all", session).arrayValue?.count == 2, "refused records leave nothing behind")
        let free = try #require(try await harness.value("VM.get_allowed_VIF_devices", session, vm).arrayValue)
        #expect(free.first == "2" && free.count == 14)
        #expect(DeviceSlots.mac(slot: 0, seed: "x") != DeviceSlots.mac(slot: 1, seed: "x"))
        let first = DeviceSlots.mac(slot: 3, seed: "seed")
        #expect(DeviceSlots.isValidMAC(first))
        #expect(UInt8(first.prefix(2), radix: 16).map { $0 & 0x03 } == 0x02, "locally administered, unicast")
    }

    @Test("VCPU and memory setters keep xapi's constraints and need a halted VM")
    func setters() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let vm = try await makeVM(harness, session)
            _ = try await harness.value("VM.set_VCPUs_max", session, vm, .int(4))
            _ = try await harness.value("VM.set_VCPUs_at_startup", session, vm, .int(3))
            #expect(await harness.call("VM.set_VCPUs_at_startup", session, vm, .int(5))
                == .failure(["INVALID_VALUE", "VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max", "5"]))
            #expect(await harness.call("VM.set_VCPUs_max", session, vm, .int(2))
                == .failure(["INVALID_VALUE", "VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max", "2"]))
            _ = try await harness.value("VM.set_memory_limits", session, vm, "1073741824", "4294967296", "2147483648", "4294967296")
            #expect(try await harness.value("VM.get_memory_dynamic_min", session, vm) == .int(2 * Self.gib))
            #expect(await harness.call("VM.set_memory_limits", session, vm, .int(Self.gib), .int(2 * Self.gib), .int(3 * Self.gib), .int(2 * Self.gib))
                == .failure(["MEMORY_CONSTRAINT_VIOLATION_ORDER"]))
            _ = try await harness.value("VM.set_memory", session, vm, .int(3 * Self.gib))
            #expect(try await harness.value("VM.get_memory_static_max", session, vm) == .int(3 * Self.gib))
            #expect(try await harness.value("VM.get_memory_static_min", session, vm) == .int(Self.gib))
            _ = try await harness.value("VM.start", session, vm, false, false)
            #expect(await harness.call("VM.set_VCPUs_max", session, vm, .int(8))
                == .failure(["VM_BAD_POWER_STATE", vm.stringValue!, "halted", "running"]))
            #expect(try await harness.value("VM_metrics.get_VCPUs_number", session, try await harness.value("VM.get_metrics", session, vm)) == .int(3))
        }
    }

    @Test("CD drives: insert into an empty one, eject from a full one, each refused otherwise; hot plug needs the guest's drivers")
    func drives() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let vm = try await makeVM(harness, session)
            let sr = try await localSR(harness, session)
            let iso = try #require(try await harness.value("VDI.get_by_name_label", session, "guest-tools.iso").arrayValue?.first)
            let data = try await harness.value("VDI.create", session, [
                "name_label": "data", "name_description": "", "SR": sr, "virtual_size": "1000", "type": "user",
                "sharable": false, "read_only": false, "other_config": [:],
            ])
            #expect(await harness.call("VBD.insert", session, .string("OpaqueRef:nonsense"), iso).failureCode == "HANDLE_INVALID")
            let cd = try await harness.value("VBD.create", session, [
                "VM": vm, "VDI": .string(OpaqueRef.null), "userdevice": "3", "bootable": false, "mode": "RO", "type": "CD",
                "empty": true, "other_config": [:], "qos_algorithm_type": "", "qos_algorithm_params": [:],
            ])
            #expect(await harness.call("VBD.eject", session, cd) == .failure(["VBD_IS_EMPTY", cd.stringValue!]))
            #expect(await harness.call("VBD.insert", session, cd, data) == .failure(["VDI_IS_NOT_ISO", data.stringValue!, "user"]))
            _ = try await harness.value("VBD.insert", session, cd, iso)
            #expect(try await harness.value("VBD.get_empty", session, cd) == false)
            #expect(await harness.call("VBD.insert", session, cd, iso) == .failure(["VBD_NOT_EMPTY", cd.stringValue!]))
            _ = try await harness.value("VM.start", session, vm, false, false)
            let uuid = try #require(try await harness.value("VM.get_uuid", session, vm).stringValue)
            // The hypervisor is given the disc's file in its library.
            let inserted = await harness.machines.hypervisors[0].stat(uuid)?.spec.media[3]
            #expect(inserted??.hasSuffix("/guest-tools.iso") == true)
            _ = try await harness.value("VBD.eject", session, cd)
            #expect(await harness.machines.hypervisors[0].stat(uuid)?.spec.media[3] == .some(nil))
            let disk = try await harness.value("VBD.create", session, [
                "VM": vm, "VDI": data, "userdevice": "autodetect", "bootable": false, "mode": "RW", "type": "Disk",
                "empty": false, "other_config": [:], "qos_algorithm_type": "", "qos_algorithm_params": [:],
            ])
            #expect(try await harness.value("VBD.get_userdevice", session, disk) == "0")
            _ = try await harness.value("VBD.plug", session, disk)
            #expect(await harness.call("VBD.plug", session, disk) == .failure(["DEVICE_ALREADY_ATTACHED", "0"]))
            _ = try await harness.value("VBD.unplug", session, disk)
            #expect(try await harness.value("VBD.get_currently_attached", session, disk) == false)

            let deaf = try await makeVM(harness, session, name: "deaf", agent: false)
            let network = try #require(try await harness.value("network.get_all", session).arrayValue?.first)
            _ = try await harness.value("VM.start", session, deaf, false, false)
            let nic = try await harness.value("VIF.create", session, [
                "device": "0", "network": network, "VM": deaf, "MAC": "", "MTU": "1500", "other_config": [:],
                "qos_algorithm_type": "", "qos_algorithm_params": [:],
            ])
            #expect(await harness.call("VIF.plug", session, nic) == .failure(["VM_MISSING_PV_DRIVERS", deaf.stringValue!]))
        }
    }

    @Test("a halted VM becomes a custom template and back; allowed_operations follow it and blocked operations")
    func customTemplate() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let vm = try await makeVM(harness, session)
            _ = try await harness.value("VM.start", session, vm, false, false)
            #expect(await harness.call("VM.set_is_a_template", session, vm, true)
                == .failure(["VM_BAD_POWER_STATE", vm.stringValue!, "halted", "running"]))
            _ = try await harness.value("VM.hard_shutdown", session, vm)
            _ = try await harness.value("VM.set_is_a_template", session, vm, true)
            let allowed = try #require(try await harness.value("VM.get_allowed_operations", session, vm).arrayValue)
            #expect(!allowed.contains("start") && allowed.contains("clone") && allowed.contains("provision"))
            #expect(await harness.call("VM.start", session, vm, false, false) == .failure(["VM_IS_TEMPLATE", vm.stringValue!, "start"]))
            _ = try await harness.value("VM.set_is_a_template", session, vm, false)
            _ = try await harness.value("VM.add_to_blocked_operations", session, vm, "start", "maintenance")
            #expect(try await harness.value("VM.get_allowed_operations", session, vm).arrayValue?.contains("start") == false)
            _ = try await harness.value("VM.remove_from_blocked_operations", session, vm, "start")
            #expect(try await harness.value("VM.get_allowed_operations", session, vm).arrayValue?.contains("start") == true)
            #expect(await Invariants.violations(harness.toolstack.services) == [])
        }
    }

    @Test("memory overhead as xapi computes it, kept up to date by the setters")
    func overhead() async throws {
        let mib: Int64 = 1 << 20
        #expect(MemoryOverhead.bytes(staticMax: 2 * Self.gib, vcpusMax: 2, multiplier: 1, type: .pv) == 20 * mib)
        #expect(MemoryOverhead.bytes(staticMax: 10 * Self.gib, vcpusMax: 2, multiplier: 1, type: .hvm) == 85 * mib)
        #expect(MemoryOverhead.bytes(staticMax: 4 * Self.gib, vcpusMax: 4, multiplier: 2, type: .hvm) == 2 * 36 * mib + 3 * mib)
        #expect(MemoryOverhead.bytes(staticMax: 9000 * mib, vcpusMax: 1, multiplier: 1, type: .pvInPvh) == (1 + 1 + 72 + 1 + 123) * mib)
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        let vm = try await makeVM(harness, session)
        #expect(try await harness.value("VM.get_domain_type", session, vm) == "pv")
        #expect(try await harness.value("VM.get_memory_overhead", session, vm) == .int(20 * mib))
        _ = try await harness.value("VM.set_VCPUs_max", session, vm, .int(8))
        #expect(try await harness.value("VM.get_memory_overhead", session, vm) == .int((1 + 24 + 2) * mib))
    }

    @Test("a malformed install repository fails the boot; http, ftp and nfs ones are accepted")
    func installRepository() async throws {
        #expect(InstallRepository.isValid("http://deb.debian.org/debian"))
        #expect(InstallRepository.isValid("ftp://mirror.example/rhel"))
        #expect(InstallRepository.isValid("nfs://server/export/rhel"))
        #expect(InstallRepository.isValid("nfs:server:/export/sles"))
        #expect(InstallRepository.isValid("cdrom"))
        #expect(!InstallRepository.isValid("http://"))
        #expect(!InstallRepository.isValid("gopher://x/y"))
        #expect(!InstallRepository.isValid("deb.debian.org/debian"))
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let vm = try await makeVM(harness, session)
            _ = try await harness.value("VM.add_to_other_config", session, vm, "install-repository", "htp:/broken")
            guard case .failure(let error) = await harness.call("VM.start", session, vm, false, false) else {
                Issue.record("the start should fail")
                return
            }
            #expect(Array(error.prefix(2)) == ["BOOTLOADER_FAILED", vm.stringValue!])
            #expect(try await harness.value("VM.get_power_state", session, vm) == "Halted")
        }
    }
}
