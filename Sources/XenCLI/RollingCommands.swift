import XenAPI
import XenDB
import XenRPC

/// The rolling-operation commands: plan (a dry run that prints the plan, its bounds and its
/// prechecks), start, status, pause, resume, abort, skip-host and retry. Start, resume and retry
/// follow the run until it stops, printing each host's progress as it happens (the run goes on
/// on the server if the client goes away; `--no-wait` returns at once, `rolling-operation-status
/// --follow` picks it up again).
enum RollingCommands {
    static func all() -> [CLICommand] {
        let control: [(String, String, String)] = [
            ("rolling-operation-pause", "Rolling_operation.pause", "Stop taking new hosts (hosts under way are finished)."),
            ("rolling-operation-abort", "Rolling_operation.abort", "End the run in a safe state."),
        ]
        let following: [(String, String, String)] = [
            ("rolling-operation-start", "Rolling_operation.start", "Start a planned run (prechecks again) and follow it."),
            ("rolling-operation-resume", "Rolling_operation.resume", "Carry on with a paused run and follow it."),
            ("rolling-operation-retry", "Rolling_operation.retry", "Try a run's failed hosts again and follow it."),
        ]
        return [
            CLICommand(
                name: "rolling-operation-plan",
                help: "Plan a rolling operation (kind=upgrade|update|reboot) without moving anything; prints its uuid, waves, "
                    + "bounds and prechecks. Options: source= (upgrade), hash= (update), max-unavailable=, headroom-percent=, "
                    + "retries=, on-failure=stop|skip, auto-fix=, recommended-guidance=, move-once=, or options:<key>=<value>.",
                required: ["kind"],
                optional: [
                    "source", "hash", "max-unavailable", "headroom-percent", "retries", "on-failure", "auto-fix", "recommended-guidance", "move-once",
                    "remediation-seconds", "bandwidth",
                ],
                mapParameters: ["options"]
            ) { run in
                var options = DeviceCommands.mapEntries("options", run).structureValue ?? [:]
                for (key, value) in run.invocation.parameters where !key.contains(":") && key != "kind" {
                    guard !CLIInvocation.standardKeys.contains(key) else { continue }
                    options[key.replacingOccurrences(of: "-", with: "_")] = .string(value)
                }
                let ref = try await run.call("pool.plan_rolling_operation", try pool(run), .string(try run.invocation.required("kind")), .structure(options))
                guard let record = run.snapshot[Ref<RollingOperation>(ref.stringValue ?? "")] else { return }
                await run.print(lines: [record.uuid] + describe(record, run.snapshot))
            },
            CLICommand(
                name: "rolling-operation-status", help: "Show a run (default: the active or latest one) host by host; --follow to follow it.",
                optional: ["uuid", "follow"]
            ) { run in
                let ref = try target(run)
                if run.invocation.flag("follow") { try await follow(ref, run, from: run.snapshot[ref]?.timeline.count ?? 0) }
                guard let record = run.snapshot[ref] else { return }
                await run.print(lines: describe(record, run.snapshot))
            },
            CLICommand(
                name: "rolling-operation-skip-host", help: "Leave a pending or failed host out of the run.", required: ["host-uuid"],
                optional: ["uuid"]
            ) { run in
                let host = try DeviceCommands.ref("host", try run.invocation.required("host-uuid"), run)
                try await run.call("Rolling_operation.skip_host", .string(try target(run).rawValue), host)
            },
        ]
            + control.map { name, method, help in
                CLICommand(name: name, help: help, optional: ["uuid"]) { run in
                    try await run.call(method, .string(try target(run).rawValue))
                }
            }
            + following.map { name, method, help in
                CLICommand(name: name, help: help + " --no-wait returns at once.", optional: ["uuid", "no-wait"]) { run in
                    let ref = try target(run)
                    let seen = run.snapshot[ref]?.timeline.count ?? 0
                    try await run.call(method, .string(ref.rawValue))
                    guard !run.invocation.flag("no-wait") else { return }
                    try await follow(ref, run, from: seen)
                    guard let record = run.snapshot[ref] else { return }
                    await run.print(lines: describe(record, run.snapshot))
                    if record.status == .failed {
                        throw CLIFailure.api(XenAPIError(errorDescription: record.error.isEmpty ? ["ROLLING_OPERATION_FAILED"] : record.error))
                    }
                }
            }
    }

    /// The run `uuid=` names, else the active one, else the latest planned one.
    private static func target(_ run: CommandRun) throws(CLIFailure) -> Ref<RollingOperation> {
        let snapshot = run.snapshot
        if let uuid = run.invocation["uuid"] {
            guard let ref = snapshot.ref(RollingOperation.className, uuid: uuid) else {
                throw CLIFailure.api(.uuidInvalid(className: "rolling_operation", uuid: uuid))
            }
            return Ref(ref)
        }
        let runs = snapshot.objects(RollingOperation.self)
        if let active = runs.first(where: { $0.status == .running || $0.status == .paused }) { return active.ref }
        if let planned = runs.first(where: { $0.status == .planned }) { return planned.ref }
        guard let latest = runs.max(by: { ($0.timeline.first ?? "") < ($1.timeline.first ?? "") }) else {
            throw CLIFailure.message("There is no rolling operation: plan one with rolling-operation-plan.")
        }
        return latest.ref
    }

    /// Prints the run's timeline from entry `printed` on as it grows (a progress bar of hosts finished on a terminal)
    /// until the run is no longer running, following `event.from`.
    private static func follow(_ ref: Ref<RollingOperation>, _ run: CommandRun, from printed: Int) async throws(CLIFailure) {
        var token = RPCValue.string("")
        var printed = printed
        while true {
            guard let record = run.snapshot[ref] else { return }
            if record.timeline.count > printed {
                await run.print(lines: Array(record.timeline[printed...]))
                printed = record.timeline.count
            }
            if run.showsProgress, !record.hosts.isEmpty {
                let finished = record.hostStates.values.filter { ["done", "failed", "skipped"].contains($0) }.count
                await run.emit(.progress(Double(finished) / Double(record.hosts.count)))
            }
            let underWay = record.hostStates.values.contains { !["pending", "done", "failed", "skipped"].contains($0) }
            guard record.status == .running || (record.status == .aborted && (underWay || !record.autoFixes.isEmpty)) else { return }
            let batch = try await run.call("event.from", .array([.string("rolling_operation/" + ref.rawValue)]), token, .double(30))
            token = batch["token"] ?? token
        }
    }

    /// The run as lines: status, bounds, each host with its state and attempts, prechecks, error.
    static func describe(_ record: ObjectView<RollingOperation>, _ snapshot: Snapshot) -> [String] {
        var lines = ["kind: \(record.kind.rawValue)", "status: \(record.status.rawValue)"]
        let bounds = record.bounds
        if let migrations = bounds["migrations"] {
            lines.append("migrations: \(migrations) (lower bound \(bounds["migrations_lower_bound"] ?? "?"))")
            lines.append(
                "makespan: \(bounds["makespan"] ?? "?") s (lower bound \(bounds["makespan_lower_bound"] ?? "?") s, ramp-aware bound "
                    + "\(bounds["ramp_aware_bound"] ?? "?") s), at most \(bounds["max_unavailable"] ?? "?") hosts down at once")
        }
        lines.append("eta: \(record.eta.wireText)")
        for (index, wave) in record.waves.enumerated() {
            let names = wave.split(separator: ",").map { uuid in
                snapshot.objects(XenAPI.Host.self).first { $0.uuid == uuid }?.nameLabel ?? String(uuid)
            }
            lines.append("wave \(index + 1): " + names.joined(separator: ", "))
        }
        for host in record.hosts {
            let name = snapshot[host]?.nameLabel ?? host.rawValue
            let attempts = record.attempts[host].map { " (attempts: \($0))" } ?? ""
            lines.append("host \(name) \(snapshot[host]?.uuid ?? ""): \(record.hostStates[host] ?? "pending")\(attempts)")
        }
        lines += record.prechecks.map { "precheck: " + $0 }
        if !record.error.isEmpty { lines.append("error: " + record.error.joined(separator: " ")) }
        return lines
    }

    private static func pool(_ run: CommandRun) throws(CLIFailure) -> RPCValue {
        guard let ref = run.snapshot.refs("pool").first else { throw CLIFailure.api(.handleInvalid(className: "pool", handle: "")) }
        return .string(ref)
    }
}
