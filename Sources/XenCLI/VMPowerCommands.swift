import XenRPC

/// `vm-start`, `vm-shutdown`, `vm-reboot`, `vm-suspend`, `vm-resume`, `vm-pause`,
/// `vm-unpause` and `vm-migrate`: each on the VMs the selectors pick, through the `Async.`
/// calls, waiting for each task (with a progress bar on a terminal).
enum VMPowerCommands {
    static func all(_ catalogue: CLICatalogue) -> [CLICommand] {
        let vms = ObjectSelection.vms(catalogue)
        let hosts = ObjectSelection.hosts(catalogue)
        return [
            vms.command("vm-start", "Start the selected VMs; on= names a host to start them on.", optional: ["on", "paused"]) {
                run, vm in
                let paused = RPCValue.bool(run.invocation.flag("paused"))
                let force = RPCValue.bool(run.invocation.flag("force"))
                if let on = run.invocation["on"] {
                    let host = try hosts.named(on, in: run)
                    try await run.runTask("VM.start_on", .string(vm), .string(host), paused, force)
                } else {
                    try await run.runTask("VM.start", .string(vm), paused, force)
                }
            },
            vms.command("vm-shutdown", "Shut the selected VMs down: cleanly, or at once with --force.") { run, vm in
                try await run.runTask(run.invocation.flag("force") ? "VM.hard_shutdown" : "VM.clean_shutdown", .string(vm))
            },
            vms.command("vm-reboot", "Reboot the selected VMs: cleanly, or at once with --force.") { run, vm in
                try await run.runTask(run.invocation.flag("force") ? "VM.hard_reboot" : "VM.clean_reboot", .string(vm))
            },
            vms.command("vm-suspend", "Suspend the selected VMs.") { run, vm in
                try await run.runTask("VM.suspend", .string(vm))
            },
            vms.command("vm-resume", "Resume the selected suspended VMs; on= names a host to resume them on.", optional: ["on"]) {
                run, vm in
                let force = RPCValue.bool(run.invocation.flag("force"))
                if let on = run.invocation["on"] {
                    let host = try hosts.named(on, in: run)
                    try await run.runTask("VM.resume_on", .string(vm), .string(host), false, force)
                } else {
                    try await run.runTask("VM.resume", .string(vm), false, force)
                }
            },
            vms.command("vm-pause", "Pause the selected running VMs.") { run, vm in
                try await run.runTask("VM.pause", .string(vm))
            },
            vms.command("vm-unpause", "Unpause the selected paused VMs.") { run, vm in
                try await run.runTask("VM.unpause", .string(vm))
            },
            vms.command(
                "vm-migrate", "Migrate the selected running VMs live to another host of the pool (host= or host-uuid=).",
                optional: ["host", "host-uuid", "live"]
            ) { run, vm in
                guard let name = run.invocation["host-uuid"] ?? run.invocation["host"] else {
                    throw CLIFailure.missingParameter("host")
                }
                let host = try hosts.named(name, in: run)
                try await run.runTask("VM.pool_migrate", .string(vm), .string(host), .structure(["live": "true"]))
            },
        ]
    }
}

extension ObjectSelection {
    /// The one object named by uuid, name label (or, for hosts, hostname).
    func named(_ name: String, in run: CommandRun) throws(CLIFailure) -> String {
        let snapshot = run.snapshot
        let matches = snapshot.refs(cls.model.name).filter { ref in
            ["uuid", "name-label", "hostname"].contains { cls.field($0)?.read(snapshot, ref).rendered == name }
        }
        guard let first = matches.first else { throw CLIFailure.message("No matching \(noun)s found") }
        guard matches.count == 1 else {
            throw CLIFailure.message("Multiple \(noun)s are named '\(name)': name one by its uuid.")
        }
        return first
    }
}
