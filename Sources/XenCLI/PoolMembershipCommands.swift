import XenAPI
import XenDB
import XenRPC

/// `pool-join`, `pool-eject` and `pool-designate-new-master`, as xe has them: the eject warns,
/// unless `--force`, which local SRs' disks the ejected host takes with it.
enum PoolMembershipCommands {
    static func all() -> [CLICommand] {
        [
            CLICommand(
                name: "pool-join",
                help: "Make this host a member of the pool whose coordinator is at master-address= (host, host:port or an "
                    + "http URL); --force skips the CPU check.",
                required: ["master-address", "master-username", "master-password"]
            ) { run in
                let invocation = run.invocation
                try await run.call(
                    invocation.flag("force") ? "pool.join_force" : "pool.join",
                    .string(try invocation.required("master-address")), .string(try invocation.required("master-username")),
                    .string(try invocation.required("master-password")))
                await run.print("This host is now a member of the pool at \(try invocation.required("master-address")).")
            },
            CLICommand(
                name: "pool-eject",
                help: "Eject the host host-uuid= from the pool; the disks on its local SRs are lost (confirmation "
                    + "asked unless --force).",
                required: ["host-uuid"]
            ) { run in
                let host = try DeviceCommands.ref("host", try run.invocation.required("host-uuid"), run)
                guard run.invocation.flag("force") else {
                    await run.print(lines: lostDisks(of: host.stringValue ?? "", run.snapshot))
                    await run.confirm("Type 'yes' to continue")
                    return
                }
                try await run.call("pool.eject", host)
                await run.print("Specified host will attempt to restart as a master of a new pool")
            },
            CLICommand(
                name: "pool-designate-new-master", help: "Make the host host-uuid= the pool's coordinator.",
                required: ["host-uuid"]
            ) { run in
                try await run.call("pool.designate_new_master", try DeviceCommands.ref("host", try run.invocation.required("host-uuid"), run))
            },
        ]
    }

    /// xe's warning: the VDIs of the SRs only this host connects to.
    private static func lostDisks(of host: String, _ snapshot: Snapshot) -> [String] {
        var lines = ["WARNING: Ejecting a host from the pool will reinitialise that host's local SRs."]
        let host = Ref<Host>(host)
        for pbd in snapshot[host]?.pbds ?? [] {
            guard let sr = snapshot[pbd].flatMap({ snapshot[$0.sr] }),
                sr.pbds.allSatisfy({ snapshot[$0]?.host == host })
            else { continue }
            let disks = sr.vdis.map { snapshot[$0]?.nameLabel ?? $0.rawValue }
            lines.append(
                "WARNING: A host is about to be ejected. The following VDIs on SR \(sr.nameLabel) will be lost: "
                    + (disks.isEmpty ? "(none)" : disks.joined(separator: ", ")))
        }
        return lines
    }
}
