import XenAPI
import XenCore
import XenRPC

/// `vm-install`, `vm-clone`, `vm-copy`, `vm-snapshot` and `vm-uninstall`: making VMs from
/// templates and VMs, and removing them with their disks.
enum VMInstallCommands {
    static func all(_ catalogue: CLICatalogue) -> [CLICommand] {
        let vms = ObjectSelection.vms(catalogue)
        let templates = ObjectSelection(cls: catalogue["template"]!, pseudo: "template", noun: "template", defaults: [])
        return [
            CLICommand(
                name: "vm-install",
                help: "Install a new VM from a template (template= name or uuid): its disks are made on the SR "
                    + "sr-uuid= or sr-name-label= names, else the pool's default SR. Prints the new VM's uuid.",
                required: ["new-name-label"],
                optional: ["template", "template-uuid", "template-name-label", "sr-uuid", "sr-name-label", "new-name-description"]
            ) { run in
                let template = try templateRef(run, templates)
                let sr = try installSR(run)
                let name = RPCValue.string(try run.invocation.required("new-name-label"))
                let vm =
                    sr.explicit
                    ? try await run.runTask("VM.copy", .string(template), name, .string(sr.ref))
                    : try await run.runTask("VM.clone", .string(template), name)
                do {
                    try await prepare(run, vm: vm, sr: sr.ref)
                    try await run.runTask("VM.provision", .string(vm))
                } catch {
                    _ = try? await run.call("VM.destroy", .string(vm))
                    throw error
                }
                await run.print(run.snapshot.value("VM", vm, "uuid")?.stringValue ?? "")
            },
            CLICommand(
                name: "vm-clone",
                help: "Clone the selected VM (copy-on-write where the storage allows). Prints the new VM's uuid.",
                required: ["new-name-label"], optional: ["vm", "new-name-description"], filters: vms.cls
            ) { run in
                let vm = try vms.single(run, own: ["new-name-label", "new-name-description"])
                let clone = try await run.runTask("VM.clone", .string(vm), .string(try run.invocation.required("new-name-label")))
                try await describe(run, clone)
                await run.print(run.snapshot.value("VM", clone, "uuid")?.stringValue ?? "")
            },
            CLICommand(
                name: "vm-copy",
                help: "Copy the selected VM with full copies of its disks, onto sr-uuid= if given. Prints the new VM's uuid.",
                required: ["new-name-label"], optional: ["vm", "new-name-description", "sr-uuid"], filters: vms.cls
            ) { run in
                let vm = try vms.single(run, own: ["new-name-label", "new-name-description", "sr-uuid"])
                var sr = "OpaqueRef:NULL"
                if let uuid = run.invocation["sr-uuid"] { sr = try srRef(uuid, run) }
                let copy = try await run.runTask(
                    "VM.copy", .string(vm), .string(try run.invocation.required("new-name-label")), .string(sr))
                try await describe(run, copy)
                await run.print(run.snapshot.value("VM", copy, "uuid")?.stringValue ?? "")
            },
            CLICommand(
                name: "vm-snapshot",
                help: "Snapshot the selected VM and its disks. Prints the snapshot's uuid.",
                required: ["new-name-label"], optional: ["vm", "new-name-description"], filters: vms.cls
            ) { run in
                let vm = try vms.single(run, own: ["new-name-label", "new-name-description"])
                let snapshot = try await run.runTask(
                    "VM.snapshot", .string(vm), .string(try run.invocation.required("new-name-label")), .array([]))
                try await describe(run, snapshot)
                await run.print(run.snapshot.value("VM", snapshot, "uuid")?.stringValue ?? "")
            },
            CLICommand(
                name: "vm-uninstall",
                help: "Uninstall the selected halted VMs: destroy each, its snapshots and the disks only they use "
                    + "(after confirmation, unless --force).",
                optional: ["vm"], filters: vms.cls
            ) { run in
                let selected = try vms.select(run, own: [])
                let plan = VMUninstall(snapshot: run.snapshot, vms: selected)
                guard run.invocation.flag("force") else {
                    await run.print(lines: plan.description)
                    await run.confirm("Type 'yes' to continue")
                    return
                }
                try await plan.run(run)
            },
        ]
    }

    /// The template `template=`, `template-uuid=` or `template-name-label=` names.
    private static func templateRef(_ run: CommandRun, _ templates: ObjectSelection) throws(CLIFailure) -> String {
        if let uuid = run.invocation["template-uuid"] {
            guard let ref = run.snapshot.ref("VM", uuid: uuid),
                run.snapshot.value("VM", ref, "is_a_template") == .bool(true)
            else { throw CLIFailure.api(.uuidInvalid(className: "VM", uuid: uuid)) }
            return ref
        }
        guard let name = run.invocation["template"] ?? run.invocation["template-name-label"] else {
            throw CLIFailure.missingParameter("template")
        }
        let snapshot = run.snapshot
        let matches = templates.cls.refs(in: snapshot, matching: []).filter { ref in
            snapshot.value("VM", ref, "uuid")?.stringValue == name || snapshot.value("VM", ref, "name_label")?.stringValue == name
        }
        guard let first = matches.first else { throw CLIFailure.message("Template not found") }
        guard matches.count == 1 else {
            throw CLIFailure.message("More than one template matches '\(name)': name one by its uuid (template-uuid=).")
        }
        return first
    }

    /// The SR the install's disks go to: the one named, else the pool's default (not explicit).
    private static func installSR(_ run: CommandRun) throws(CLIFailure) -> (ref: String, explicit: Bool) {
        let snapshot = run.snapshot
        if let uuid = run.invocation["sr-uuid"] { return (try srRef(uuid, run), true) }
        if let name = run.invocation["sr-name-label"] {
            let matches = snapshot.refs("SR").filter { snapshot.value("SR", $0, "name_label")?.stringValue == name }
            guard matches.count == 1 else {
                throw CLIFailure.message(matches.isEmpty ? "No SR named '\(name)'" : "More than one SR is named '\(name)': use sr-uuid=")
            }
            return (matches[0], true)
        }
        let pool = snapshot.refs("pool").first ?? ""
        return (snapshot.value("pool", pool, "default_SR")?.stringValue ?? "OpaqueRef:NULL", false)
    }

    static func srRef(_ uuid: String, _ run: CommandRun) throws(CLIFailure) -> String {
        guard let ref = run.snapshot.ref("SR", uuid: uuid) else { throw CLIFailure.api(.uuidInvalid(className: "SR", uuid: uuid)) }
        return ref
    }

    /// What xe does between the clone and the provision: the description, and the SR of the
    /// disks the template asks for (an error if there is none and the template has disks).
    private static func prepare(_ run: CommandRun, vm: String, sr: String) async throws {
        try await run.call("VM.set_name_description", .string(vm), .string(run.invocation["new-name-description"] ?? "Installed via xe CLI"))
        let snapshot = run.snapshot
        guard let text = snapshot.value("VM", vm, "other_config")?["disks"]?.stringValue else { return }
        var disks = try ProvisionDisks(parsing: text)
        guard !disks.disks.isEmpty else { return }
        guard let srUUID = snapshot.value("SR", sr, "uuid")?.stringValue else {
            throw CLIFailure.message("The template has disks, but no SR was given (sr-uuid=) and the pool has no default SR.")
        }
        for index in disks.disks.indices { disks.disks[index].sr = srUUID }
        try await run.call("VM.remove_from_other_config", .string(vm), "disks")
        try await run.call("VM.add_to_other_config", .string(vm), "disks", .string(disks.text))
        if snapshot.value("VM", vm, "suspend_SR")?.stringValue == "OpaqueRef:NULL" {
            try await run.call("VM.set_suspend_SR", .string(vm), .string(sr))
        }
    }

    /// Gives a new VM the description `new-name-description=` asks for.
    private static func describe(_ run: CommandRun, _ vm: String) async throws {
        guard let description = run.invocation["new-name-description"] else { return }
        try await run.call("VM.set_name_description", .string(vm), .string(description))
    }
}
