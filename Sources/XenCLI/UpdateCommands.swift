import Foundation
import XenRPC

/// The update commands of xe, with xapi's names and parameters: repositories and channels,
/// syncs (from a repository or an uploaded bundle), the sync schedule, the proxy, applying
/// updates to hosts, and HA on and off.
enum UpdateCommands {
    static func all(_ catalogue: CLICatalogue) -> [CLICommand] {
        let hosts = ObjectSelection.hosts(catalogue)
        return [
            CLICommand(
                name: "repository-introduce", help: "Add the configuration for a new remote repository; prints its uuid.",
                required: ["name-label", "binary-url", "source-url", "update"], optional: ["name-description", "gpgkey-path"]
            ) { run in
                let update = try flag("update", run)
                let ref = try await run.call(
                    "Repository.introduce", text("name-label", run), text("name-description", run), text("binary-url", run),
                    text("source-url", run), .bool(update), text("gpgkey-path", run))
                await run.print(uuid(of: ref, run))
            },
            CLICommand(
                name: "repository-introduce-bundle", help: "Add the configuration for a new bundle repository; prints its uuid.",
                required: ["name-label"], optional: ["name-description"]
            ) { run in
                let ref = try await run.call("Repository.introduce_bundle", text("name-label", run), text("name-description", run))
                await run.print(uuid(of: ref, run))
            },
            CLICommand(
                name: "repository-introduce-remote-pool",
                help: "Add another pool's coordinator (https://<its address>/repository/enabled) as a repository; "
                    + "certificate= is its host certificate (PEM). Prints the uuid.",
                required: ["name-label", "binary-url", "certificate"], optional: ["name-description"]
            ) { run in
                let ref = try await run.call(
                    "Repository.introduce_remote_pool", text("name-label", run), text("name-description", run), text("binary-url", run),
                    text("certificate", run))
                await run.print(uuid(of: ref, run))
            },
            CLICommand(name: "repository-forget", help: "Remove the repository record from the database.", required: ["uuid"]) { run in
                try await run.call("Repository.forget", RPCValue.string(try GenericCommands.lookUp(catalogue["repository"]!, run)))
            },
            CLICommand(
                name: "repository-set-gpgkey-path", help: "Set the file name of the GPG public key.", required: ["uuid", "gpgkey-path"]
            ) { run in
                try await run.call(
                    "Repository.set_gpgkey_path", RPCValue.string(try GenericCommands.lookUp(catalogue["repository"]!, run)), text("gpgkey-path", run))
            },
            CLICommand(
                name: "pool-sync-updates", help: "Sync updates from the enabled repositories, pool-wide; prints the hash.",
                optional: ["force", "token", "token-id", "username", "password"]
            ) { run in
                let hash = try await run.runTask(
                    "pool.sync_updates", try pool(run), .bool(try flag("force", run, default: false)), text("token", run),
                    text("token-id", run), text("username", run), text("password", run))
                await run.print(hash)
            },
            CLICommand(
                name: "pool-sync-bundle", help: "Upload a bundle file (.xsbundle), unpack it and sync the bundle repository.",
                required: ["filename"]
            ) { run in
                let task = try await run.call("task.create", "Sync bundle", "")
                await run.upload(try run.invocation.required("filename"), to: "/bundle?session_id=\(run.session)&task_id=\(task.stringValue ?? "")")
                let hash = try await run.wait(for: task)
                await run.print(hash.stringValue ?? "")
            },
            CLICommand(
                name: "pool-configure-update-sync",
                help: "Configure the scheduled sync: update-sync-frequency=daily|weekly, update-sync-day=0 (Sunday) to 6.",
                required: ["update-sync-frequency", "update-sync-day"]
            ) { run in
                let day = try CLIValueParsing(snapshot: run.snapshot, model: .current)
                    .value(try run.invocation.required("update-sync-day"), type: .int, field: "update-sync-day")
                try await run.call("pool.configure_update_sync", try pool(run), text("update-sync-frequency", run), day)
            },
            CLICommand(name: "pool-set-update-sync-enabled", help: "Turn the scheduled sync on or off.", required: ["value"]) { run in
                try await run.call("pool.set_update_sync_enabled", try pool(run), .bool(try flag("value", run)))
            },
            CLICommand(
                name: "pool-configure-repository-proxy", help: "Reach the repositories through a proxy.", required: ["proxy-url"],
                optional: ["proxy-username", "proxy-password"]
            ) { run in
                try await run.call(
                    "pool.configure_repository_proxy", try pool(run), text("proxy-url", run), text("proxy-username", run),
                    text("proxy-password", run))
            },
            CLICommand(name: "pool-disable-repository-proxy", help: "Reach the repositories directly again.") { run in
                try await run.call("pool.disable_repository_proxy", try pool(run))
            },
            CLICommand(
                name: "pool-ha-enable", help: "Enable HA on this pool (heartbeat-sr-uuids= a comma-separated list).",
                optional: ["heartbeat-sr-uuids"], mapParameters: ["ha-config"]
            ) { run in
                var srs: [RPCValue] = []
                for uuid in (run.invocation["heartbeat-sr-uuids"] ?? "").split(separator: ",") where !uuid.isEmpty {
                    srs.append(try DeviceCommands.ref("SR", String(uuid), run))
                }
                try await run.runTask("pool.enable_ha", .array(srs), DeviceCommands.mapEntries("ha-config", run))
            },
            CLICommand(name: "pool-ha-disable", help: "Disable HA on this pool.") { run in
                try await run.runTask("pool.disable_ha")
            },
            hosts.command("host-apply-updates", "Apply the synced updates to the selected hosts; prints any warnings.", required: ["hash"]) {
                run, host in
                let warnings = try await run.call("host.apply_updates", .string(host), text("hash", run))
                let lines = (warnings.arrayValue ?? []).map { ($0.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " ") }
                await run.print(lines: lines)
            },
            CLICommand(
                name: "host-emergency-clear-mandatory-guidance", help: "Clear the pending mandatory guidance on this host."
            ) { run in
                try await run.call("host.emergency_clear_mandatory_guidance")
            },
        ]
    }

    /// The pool's ref.
    private static func pool(_ run: CommandRun) throws(CLIFailure) -> RPCValue {
        guard let ref = run.snapshot.refs("pool").first else { throw CLIFailure.api(.handleInvalid(className: "pool", handle: "")) }
        return .string(ref)
    }

    private static func text(_ name: String, _ run: CommandRun) -> RPCValue { .string(run.invocation[name] ?? "") }

    private static func flag(_ name: String, _ run: CommandRun, default fallback: Bool? = nil) throws(CLIFailure) -> Bool {
        guard let given = run.invocation[name] else {
            if let fallback { return fallback }
            throw CLIFailure.missingParameter(name)
        }
        guard let value = CLIValueParsing.boolean(given) else { throw CLIFailure.api(.invalidValue(field: name, value: given)) }
        return value
    }

    private static func uuid(of ref: RPCValue, _ run: CommandRun) -> String {
        run.snapshot.value("Repository", ref.stringValue ?? "", "uuid")?.stringValue ?? ref.stringValue ?? ""
    }
}

/// `pool-dump-database` and `pool-restore-database`: the pool database's backup, in xapi's XML
/// dump format, through `GET`/`PUT /pool/xmldbdump`.
enum DatabaseBackupCommands {
    static func all() -> [CLICommand] {
        [
            CLICommand(name: "pool-dump-database", help: "Download a dump of the pool database.", required: ["file-name"]) { run in
                let task = try await run.call("task.create", "Dump pool database", "")
                await run.download(
                    "/pool/xmldbdump?session_id=\(run.session)&task_id=\(task.stringValue ?? "")", into: try run.invocation.required("file-name"))
                try await run.wait(for: task)
            },
            CLICommand(
                name: "pool-restore-database",
                help: "Restore a dump of the pool database to the server (dry-run=true only checks it); needs --force, "
                    + "as it replaces every object of the pool and makes this host the backup's coordinator.",
                required: ["file-name"], optional: ["dry-run"]
            ) { run in
                // As xapi's: the mere presence of dry-run makes it a dry run.
                let dryRun = run.invocation["dry-run"] != nil
                guard dryRun || run.invocation.flag("force") else {
                    throw CLIFailure.message(
                        "This operation will restore the database backup to this host, making it the master. All slave hosts are "
                            + "assumed dead and they will be forgotten. This operation must be forced (use --force).")
                }
                let task = try await run.call("task.create", "Restore pool database", "")
                await run.upload(
                    try run.invocation.required("file-name"),
                    to: "/pool/xmldbdump?session_id=\(run.session)&task_id=\(task.stringValue ?? "")&dry_run=\(dryRun)")
                try await run.wait(for: task)
                await run.print(dryRun ? "Dry-run backup restore successful" : "Restored the pool database from the backup")
            },
        ]
    }
}
