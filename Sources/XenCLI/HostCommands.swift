import XenRPC

/// `host-disable`, `host-enable`, `host-evacuate`, `host-reboot`, `host-shutdown` and
/// `host-get-vms-which-prevent-evacuation`, on the hosts the selectors pick.
enum HostCommands {
    static func all(_ catalogue: CLICatalogue) -> [CLICommand] {
        let hosts = ObjectSelection.hosts(catalogue)
        return [
            hosts.command("host-disable", "Disable the selected hosts: no VM starts or moves onto them.", optional: ["auto-enable"]) {
                run, host in
                let autoEnable = CLIValueParsing.boolean(run.invocation["auto-enable"] ?? "true") ?? true
                try await run.call("host.disable", .string(host), .bool(autoEnable))
            },
            hosts.command("host-enable", "Enable the selected hosts.") { run, host in
                try await run.call("host.enable", .string(host))
            },
            hosts.command(
                "host-evacuate", "Migrate every VM off the selected hosts, to the other hosts of the pool.",
                optional: ["network-uuid", "batch-size"]
            ) { run, host in
                var network = RPCValue.string("OpaqueRef:NULL")
                if let uuid = run.invocation["network-uuid"] { network = try DeviceCommands.ref("network", uuid, run) }
                let batch = try CLIValueParsing(snapshot: run.snapshot, model: .current)
                    .value(run.invocation["batch-size"] ?? "0", type: .int, field: "batch-size")
                try await run.runTask("host.evacuate", .string(host), network, batch)
            },
            hosts.command("host-reboot", "Reboot the selected hosts (each must be disabled first).") { run, host in
                try await run.runTask("host.reboot", .string(host))
            },
            hosts.command("host-shutdown", "Shut the selected hosts down (each must be disabled first).") { run, host in
                try await run.runTask("host.shutdown", .string(host))
            },
            CLICommand(
                name: "host-get-vms-which-prevent-evacuation",
                help: "List the VMs that keep the host uuid= from being evacuated, with the reason for each.",
                required: ["uuid"]
            ) { run in
                let host = try GenericCommands.lookUp(catalogue["host"]!, run)
                let reasons = try await run.call("host.get_vms_which_prevent_evacuation", .string(host))
                let snapshot = run.snapshot
                var lines: [String] = []
                for (vm, reason) in reasons.structureValue ?? [:] {
                    let uuid = snapshot.value("VM", vm, "uuid")?.stringValue ?? vm
                    let parts = (reason.arrayValue ?? []).compactMap(\.stringValue)
                    lines.append("\(uuid) " + parts.joined(separator: " "))
                }
                await run.print(lines: lines)
            },
        ]
    }
}
