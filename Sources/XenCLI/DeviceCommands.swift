import XenAPIModel
import XenDB
import XenRPC

/// A VM's devices: CD drives (`vm-cd-insert`, `vm-cd-eject`, `vm-cd-list`), the lists
/// `vm-vif-list` and `vm-disk-list`, and the create commands `vif-create`, `vbd-create`,
/// `vdi-create`, `network-create` and `vm-group-create`, which print the new object's uuid.
enum DeviceCommands {
    static func all(_ catalogue: CLICatalogue, model: DataModel) -> [CLICommand] {
        let vms = ObjectSelection.vms(catalogue)
        let vbds = catalogue["vbd"]!, vdis = catalogue["vdi"]!, vifs = catalogue["vif"]!
        return [
            CLICommand(
                name: "vm-cd-insert", help: "Insert the ISO named cd-name= into the CD drive of the selected VMs.",
                required: ["cd-name"], optional: ["vm"], filters: vms.cls
            ) { run in
                let name = try run.invocation.required("cd-name")
                let snapshot = run.snapshot
                let isos = snapshot.refs("VDI").filter { vdi in
                    snapshot.value("VDI", vdi, "name_label")?.stringValue == name
                        && snapshot.value("SR", snapshot.value("VDI", vdi, "SR")?.stringValue ?? "", "content_type")?.stringValue == "iso"
                }
                guard let iso = isos.first else { throw CLIFailure.message("CD \(name) not found") }
                guard isos.count == 1 else {
                    throw CLIFailure.message("Multiple CDs named \(name) found. Please use vbd-insert and specify uuids")
                }
                try await vms.forEach(run, own: ["cd-name"]) { vm in
                    let drive = try cdDrive(of: vm, run.snapshot, empty: true)
                    try await run.runTask("VBD.insert", .string(drive), .string(iso))
                }
            },
            CLICommand(name: "vm-cd-eject", help: "Eject the CD from the drive of the selected VMs.", optional: ["vm"], filters: vms.cls) {
                run in
                try await vms.forEach(run, own: []) { vm in
                    try await run.runTask("VBD.eject", .string(try cdDrive(of: vm, run.snapshot, empty: false)))
                }
            },
            CLICommand(
                name: "vm-cd-list", help: "List the CD drives of the selected VMs and the ISOs in them.",
                optional: ["vm", "vbd-params", "vdi-params"], filters: vms.cls
            ) { run in
                try await vms.forEach(run, own: ["vbd-params", "vdi-params"]) { vm in
                    await listDrives(run, vm: vm, type: "CD", vbds: vbds, vdis: vdis, label: "CD")
                }
            },
            CLICommand(
                name: "vm-disk-list", help: "List the disks of the selected VMs: each drive's VBD and its VDI.",
                optional: ["vm", "vbd-params", "vdi-params"], filters: vms.cls
            ) { run in
                try await vms.forEach(run, own: ["vbd-params", "vdi-params"]) { vm in
                    await listDrives(run, vm: vm, type: "Disk", vbds: vbds, vdis: vdis, label: "Disk")
                }
            },
            CLICommand(
                name: "vm-vif-list", help: "List the network interfaces of the selected VMs.", optional: ["vm", "params"],
                filters: vms.cls
            ) { run in
                try await vms.forEach(run, own: ["params"]) { vm in
                    let snapshot = run.snapshot
                    let refs = (snapshot.value("VM", vm, "VIFs")?.arrayValue ?? []).compactMap(\.stringValue)
                    let columns = GenericCommands.selectedColumns(vifs, run.invocation["params"] ?? "uuid,vm-name-label,device,MAC,network-uuid,network-name-label")
                    await run.print(lines: RecordPrinter.records(refs.map { ref in
                        columns.map { (label: $0.name + $0.tag, value: $0.read(snapshot, ref).rendered) }
                    }))
                }
            },
            create(
                "vif-create", "Create a network interface for a VM (mac= to choose its MAC, else one is generated).",
                required: ["vm-uuid", "network-uuid", "device"], optional: ["mac", "mtu"], className: "VIF"
            ) { run, parsing in
                [
                    "VM": try ref("VM", run.invocation.required("vm-uuid"), run),
                    "network": try ref("network", run.invocation.required("network-uuid"), run),
                    "device": .string(try run.invocation.required("device")),
                    "MAC": .string(run.invocation["mac"] ?? ""),
                    "MTU": try parsing.value(run.invocation["mtu"] ?? "1500", type: .int, field: "mtu"),
                ]
            },
            create(
                "vbd-create",
                "Create a drive for a VM: a disk (vdi-uuid=) or, with type=CD and no VDI, an empty CD drive.",
                required: ["vm-uuid", "device"], optional: ["vdi-uuid", "bootable", "type", "mode", "unpluggable"],
                className: "VBD"
            ) { run, parsing in
                let type = try parsing.value(run.invocation["type"] ?? "Disk", type: .enumeration("vbd_type"), field: "type")
                let vdi = try run.invocation["vdi-uuid"].map { uuid throws(CLIFailure) in try ref("VDI", uuid, run) }
                return [
                    "VM": try ref("VM", run.invocation.required("vm-uuid"), run),
                    "VDI": vdi ?? "OpaqueRef:NULL",
                    "userdevice": .string(try run.invocation.required("device")),
                    "bootable": try parsing.value(run.invocation["bootable"] ?? "false", type: .bool, field: "bootable"),
                    "type": type,
                    "mode": try parsing.value(run.invocation["mode"] ?? (type == "CD" ? "RO" : "RW"), type: .enumeration("vbd_mode"), field: "mode"),
                    "unpluggable": try parsing.value(run.invocation["unpluggable"] ?? "true", type: .bool, field: "unpluggable"),
                    "empty": .bool(vdi == nil),
                ]
            },
            create(
                "vdi-create", "Create a virtual disk on an SR (virtual-size= in bytes or with a unit, like 10GiB).",
                required: ["sr-uuid", "name-label", "virtual-size"], optional: ["type", "sharable", "read-only", "name-description"],
                className: "VDI", maps: ["sm-config", "other-config"]
            ) { run, parsing in
                [
                    "SR": try ref("SR", run.invocation.required("sr-uuid"), run),
                    "name_label": .string(try run.invocation.required("name-label")),
                    "name_description": .string(run.invocation["name-description"] ?? ""),
                    "virtual_size": try parsing.value(run.invocation.required("virtual-size"), type: .int, field: "virtual-size"),
                    "type": try parsing.value(run.invocation["type"] ?? "user", type: .enumeration("vdi_type"), field: "type"),
                    "sharable": try parsing.value(run.invocation["sharable"] ?? "false", type: .bool, field: "sharable"),
                    "read_only": try parsing.value(run.invocation["read-only"] ?? "false", type: .bool, field: "read-only"),
                ]
            },
            create(
                "network-create", "Create a network (a bridge is named for it unless bridge= is given).",
                required: ["name-label"], optional: ["name-description", "MTU", "bridge"], className: "network",
                maps: ["other-config"]
            ) { run, parsing in
                [
                    "name_label": .string(try run.invocation.required("name-label")),
                    "name_description": .string(run.invocation["name-description"] ?? ""),
                    "MTU": try parsing.value(run.invocation["MTU"] ?? "1500", type: .int, field: "MTU"),
                    "bridge": .string(run.invocation["bridge"] ?? ""),
                ]
            },
            create(
                "vm-group-create", "Create a VM group (placement= anti_affinity or normal); add VMs with vm-param-set groups=.",
                required: ["name-label", "placement"], optional: ["name-description"], className: "VM_group"
            ) { run, parsing in
                [
                    "name_label": .string(try run.invocation.required("name-label")),
                    "name_description": .string(run.invocation["name-description"] ?? ""),
                    "placement": try parsing.value(
                        try run.invocation.required("placement"), type: .enumeration("placement_policy"), field: "placement"),
                ]
            },
        ]
    }

    /// A create command: `fields` builds the constructor values, map parameters (`sm-config:k=v`)
    /// fill the maps named in `maps`; prints the new object's uuid.
    static func create(
        _ name: String, _ help: String, required: [String], optional: [String], className: String, maps: [String] = [],
        fields: @escaping @Sendable (CommandRun, CLIValueParsing) async throws -> [String: RPCValue]
    ) -> CLICommand {
        CLICommand(name: name, help: help, required: required, optional: optional, mapParameters: maps) { run in
            let parsing = CLIValueParsing(snapshot: run.snapshot, model: .current)
            var values = try await fields(run, parsing)
            for map in maps {
                let entries = mapEntries(map, run)
                if case .structure(let members) = entries, !members.isEmpty { values[map.replacingOccurrences(of: "-", with: "_")] = entries }
            }
            let ref = try await run.call("\(className).create", ConstructorRecord.make(className, values))
            await run.print(run.snapshot.value(className, ref.stringValue ?? "", "uuid")?.stringValue ?? "")
        }
    }

    /// The `name:key=value` parameters of the map `name`, as a wire struct.
    static func mapEntries(_ name: String, _ run: CommandRun) -> RPCValue {
        let entries = run.invocation.parameters.filter { $0.key.contains(":") && CLIClass.split($0.key).field == name }
        var members: [(String, RPCValue)] = []
        for entry in entries {
            let key = CLIClass.split(entry.key).key ?? ""
            members.removeAll { $0.0 == key }
            members.append((key, .string(entry.value)))
        }
        return .structure(.init(uniqueKeysWithValues: members))
    }

    static func ref(_ className: String, _ uuid: String, _ run: CommandRun) throws(CLIFailure) -> RPCValue {
        guard let ref = run.snapshot.ref(className, uuid: uuid) else {
            throw CLIFailure.api(.uuidInvalid(className: className, uuid: uuid))
        }
        return .string(ref)
    }

    /// The VM's CD drive: for an insert an empty one, for an eject a full one.
    static func cdDrive(of vm: String, _ snapshot: Snapshot, empty: Bool) throws(CLIFailure) -> String {
        let drives = (snapshot.value("VM", vm, "VBDs")?.arrayValue ?? []).compactMap(\.stringValue)
            .filter { snapshot.value("VBD", $0, "type")?.stringValue == "CD" }
        let matching = drives.filter { snapshot.value("VBD", $0, "empty") == .bool(empty) }
        guard let drive = matching.first else {
            if empty { throw CLIFailure.api(.vmNoEmptyCdVBD(vm: vm)) }
            throw CLIFailure.message("No CDs found")
        }
        guard matching.count == 1 else {
            throw CLIFailure.message(
                empty ? "Two or more empty CD devices found. Please use vbd-insert" : "Two or more CDs found. Please use vbd-eject")
        }
        return drive
    }

    /// xe's `vm-disk-list` layout: for each drive, `Disk N VBD:` and its record, then
    /// `Disk N VDI:` and the disk's record.
    static func listDrives(_ run: CommandRun, vm: String, type: String, vbds: CLIClass, vdis: CLIClass, label: String) async {
        let snapshot = run.snapshot
        let drives = (snapshot.value("VM", vm, "VBDs")?.arrayValue ?? []).compactMap(\.stringValue)
            .filter { snapshot.value("VBD", $0, "type")?.stringValue == type }
            .sorted { (Int(snapshot.value("VBD", $0, "userdevice")?.stringValue ?? "") ?? 0) < (Int(snapshot.value("VBD", $1, "userdevice")?.stringValue ?? "") ?? 0) }
        let vbdColumns = GenericCommands.selectedColumns(
            vbds, run.invocation["vbd-params"] ?? (type == "CD" ? "uuid,vm-name-label,empty,userdevice" : "uuid,vm-name-label,userdevice"))
        let vdiColumns = GenericCommands.selectedColumns(vdis, run.invocation["vdi-params"] ?? "uuid,name-label,sr-name-label,virtual-size")
        var lines: [String] = []
        for (index, vbd) in drives.enumerated() {
            lines.append("\(label) \(index) VBD:")
            lines += RecordPrinter.records([vbdColumns.map { (label: $0.name + $0.tag, value: $0.read(snapshot, vbd).rendered) }])
            guard let vdi = snapshot.value("VBD", vbd, "VDI")?.stringValue, snapshot.contains("VDI", vdi) else { continue }
            lines.append("\(label) \(index) VDI:")
            lines += RecordPrinter.records([vdiColumns.map { (label: $0.name + $0.tag, value: $0.read(snapshot, vdi).rendered) }])
        }
        await run.print(lines: lines)
    }
}
