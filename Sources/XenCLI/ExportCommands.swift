import XenRPC

/// `vm-export`: the client downloads the VM's XVA from `GET /export` into its own file (xapi's
/// thin CLI does the same with `HttpGet`), while the command follows the export's task.
enum ExportCommands {
    static func all(_ catalogue: CLICatalogue) -> [CLICommand] {
        let vms = ObjectSelection(
            cls: catalogue["vm"]!, pseudo: "vm", noun: "VM", defaults: [("is-control-domain", "false")])
        return [
            CLICommand(
                name: "vm-export",
                help: "Export the selected halted VM, snapshot or template as an XVA file (filename=), disks included.",
                required: ["filename"], optional: ["vm", "compress"], filters: vms.cls
            ) { run in
                let vm = try vms.single(run, own: ["filename", "compress"])
                if let compress = run.invocation["compress"], CLIValueParsing.boolean(compress) != false {
                    throw CLIFailure.message("Compressed exports are not supported yet: leave out compress=")
                }
                let uuid = run.snapshot.value("VM", vm, "uuid")?.stringValue ?? ""
                let task = try await run.call("task.create", .string("Export of VM: \(uuid)"), "")
                await run.download(
                    "/export?session_id=\(run.session)&task_id=\(task.stringValue ?? "")&uuid=\(uuid)",
                    into: try run.invocation.required("filename"))
                try await run.wait(for: task)
                await run.print("Export succeeded")
            }
        ]
    }
}
