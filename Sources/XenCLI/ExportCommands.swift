import Foundation
import XenRPC

/// `vm-export` and `vm-import`: the client downloads the VM's XVA from `GET /export` into its own
/// file, or uploads one to `PUT /import` (xapi's thin CLI does the same with `HttpGet` and
/// `HttpPut`), while the command follows the transfer's task.
enum ExportCommands {
    static func all(_ catalogue: CLICatalogue) -> [CLICommand] {
        let vms = ObjectSelection(
            cls: catalogue["vm"]!, pseudo: "vm", noun: "VM", defaults: [("is-control-domain", "false")])
        return [
            CLICommand(
                name: "vm-export",
                help: "Export the selected halted VM, snapshot or template as an XVA file (filename=), disks included; "
                    + "compress=true|gzip|zstd compresses the whole file; metadata=true writes the records alone.",
                required: ["filename"], optional: ["vm", "compress", "metadata"], filters: vms.cls
            ) { run in
                let vm = try vms.single(run, own: ["filename", "compress", "metadata"])
                let handler = run.invocation.flag("metadata") ? "/export_metadata" : "/export"
                // compress=true|gzip|zstd: the whole stream compressed (true is gzip, as xe's).
                let compress = run.invocation["compress"] ?? "false"
                let uuid = run.snapshot.value("VM", vm, "uuid")?.stringValue ?? ""
                let task = try await run.call("task.create", .string("Export of VM: \(uuid)"), "")
                await run.download(
                    "\(handler)?session_id=\(run.session)&task_id=\(task.stringValue ?? "")&uuid=\(uuid)&use_compression=\(compress)",
                    into: try run.invocation.required("filename"))
                try await run.wait(for: task)
                await run.print("Export succeeded")
            },
            CLICommand(
                name: "vm-import",
                help: "Import a VM from an XVA file (filename=) into the SR sr-uuid= names, else the pool's default SR; "
                    + "preserve=true keeps its uuid and MACs; force=true accepts checksum mismatches; "
                    + "network-map:<file network's name, bridge or uuid>=<network uuid> puts its interfaces on another network; "
                    + "metadata=true imports a metadata export, its disks the pool's disks of the same uuids; "
                    + "template= makes a VM of a physical machine instead: its disk image (type=raw or type=vhd) "
                    + "or a tarball of its root filesystem (type=tar), made into an ext4 disk. "
                    + "Prints the new VM's uuid.",
                required: ["filename"], optional: ["sr-uuid", "preserve", "metadata", "template", "name-label", "type"],
                mapParameters: ["network-map"]
            ) { run in
                var query = "session_id=\(run.session)"
                if let uuid = run.invocation["sr-uuid"] {
                    guard let sr = run.snapshot.ref("SR", uuid: uuid) else { throw CLIFailure.api(.uuidInvalid(className: "SR", uuid: uuid)) }
                    query += "&sr_id=\(sr)"
                }
                if run.invocation.flag("preserve") { query += "&restore=true" }
                if let template = run.invocation["template"] {
                    // P2V: the file is a disk image or a root filesystem's tarball (type=raw|vhd|tar, by
                    // default from its name).
                    let file = try run.invocation.required("filename").lowercased()
                    let format = run.invocation["type"] ?? (file.hasSuffix(".vhd") ? "vhd" : file.hasSuffix(".tar") ? "tar" : "raw")
                    let name = run.invocation["name-label"] ?? "Imported physical machine"
                    query += "&template=" + (template.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? template)
                    query += "&name=" + (name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name)
                    query += "&format=\(format)"
                }
                if run.invocation.flag("force") { query += "&force=true" }
                for (key, value) in run.invocation.parameters where key.hasPrefix("network-map:") {
                    let entry = "\(CLIClass.split(key).key ?? "")=\(value)"
                    query += "&network_map=" + (entry.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? entry)
                }
                let task = try await run.call("task.create", "Import of VM", "")
                let handler = run.invocation.flag("metadata") ? "/import_metadata" : "/import"
                await run.upload(try run.invocation.required("filename"), to: "\(handler)?\(query)&task_id=\(task.stringValue ?? "")")
                let made = try await run.wait(for: task)
                let snapshot = run.snapshot
                for ref in (made.arrayValue ?? []).compactMap(\.stringValue) {
                    await run.print(snapshot.value("VM", ref, "uuid")?.stringValue ?? ref)
                }
            },
        ]
    }
}
