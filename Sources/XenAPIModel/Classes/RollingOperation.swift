extension DataModel {
    /// The `Rolling_operation` class: one rolling upgrade, update or reboot of the pool, owned by
    /// the server, as planned and as it runs.
    @_optimize(none)
    static func rollingOperationClass() -> ClassModel {
        ClassModel(
            name: "Rolling_operation", doc: "A rolling upgrade, update or reboot of the pool's hosts, planned and run by the server.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                field("kind", .enumeration("rolling_operation_kind"), default: .enumeration("reboot"), doc: "What is done to each host"),
                field(
                    "status", .enumeration("rolling_operation_status"), default: .enumeration("planned"),
                    doc: "Planned (a dry run: nothing moved), running, paused, done, failed or aborted"),
                field("options", .stringMap, default: .emptyMap, doc: "The options it was planned with"),
                field("hosts", .set(.ref("host")), default: .emptySet, doc: "The hosts in the order they are taken, wave by wave"),
                field(
                    "host_states", .map(.ref("host"), .string), default: .emptyMap,
                    doc: "Each host's state: pending, prechecked, evacuating, applying, rebooting, rejoining, verifying, done, failed or skipped"),
                field(
                    "waves", .stringSet, default: .emptySet,
                    doc: "The waves of hosts taken down together: host uuids joined by commas, in order"),
                field(
                    "planned_moves", .stringSet, default: .emptySet,
                    doc: "The live migrations planned, in order: `<wave>:<VM uuid>:<from host uuid>:<to host uuid>`"),
                field("moves_made", .stringSet, default: .emptySet, doc: "The live migrations made so far, in the same form"),
                field(
                    "bounds", .stringMap, default: .emptyMap,
                    doc: "The plan against its lower bounds: migrations, migrations_lower_bound, makespan, makespan_lower_bound, "
                        + "ramp_aware_bound (seconds), max_unavailable"),
                field("eta", .datetime, default: .epoch, doc: "When the run would end if started now (planned) or as it goes"),
                field("timeline", .stringSet, default: .emptySet, doc: "What happened, in order: `<time> <event>`"),
                field("error", .stringSet, default: .emptySet, doc: "The error that stopped it, if any"),
                field(
                    "prechecks", .stringSet, default: .emptySet,
                    doc: "The prechecks' findings, each `<blocker|warning>|<class>|<uuid>|<REASON>|<remedy>`; re-checked before each host"),
                field(
                    "attempts", .map(.ref("host"), .int), default: .emptyMap,
                    doc: "How many times each host's operation has been tried"),
                field(
                    "auto_fixes", .stringSet, default: .emptySet,
                    doc: "What the run changed to be able to start and puts back when it ends: `ha`, `wlb`, `cd:<VM uuid>`"),
                field(
                    "moving", .stringSet, default: .emptySet,
                    doc: "The VMs (uuids) being live-migrated by the run now; one a failure or a crash left paused is resumed"),
                field(
                    "database_backup", .string, default: .string(""),
                    doc: "The file holding the pool database dump taken before the coordinator's step (upgrade)"),
            ],
            messages: [
                message(
                    "start", [param("self", .ref("Rolling_operation"), doc: "The planned run")],
                    doc: "Start a planned run: prechecks again (blockers refuse it; with options auto_fix=true the safe fixes are "
                        + "made), then the server runs it to the end, host by host, even across restarts.",
                    errors: [.rollingOperationActive, .rollingOperationStatusInvalid, .rollingOperationBlocked],
                    lifecycle: .prototyped),
                message(
                    "pause", [param("self", .ref("Rolling_operation"), doc: "The running run")],
                    doc: "Stop taking new hosts; hosts already being worked on are finished first.",
                    errors: [.rollingOperationStatusInvalid], lifecycle: .prototyped),
                message(
                    "resume", [param("self", .ref("Rolling_operation"), doc: "The paused run")],
                    doc: "Carry on with a paused run.", errors: [.rollingOperationStatusInvalid], lifecycle: .prototyped),
                message(
                    "abort", [param("self", .ref("Rolling_operation"), doc: "The run")],
                    doc: "End the run in a safe state: hosts not yet taken stay as they are, a host being evacuated is enabled "
                        + "again, a host being remediated is finished first.",
                    errors: [.rollingOperationStatusInvalid], lifecycle: .prototyped),
                message(
                    "skip_host",
                    [param("self", .ref("Rolling_operation"), doc: "The run"), param("host", .ref("host"), doc: "A pending or failed host")],
                    doc: "Leave a host out of the run (it stays at what it runs now).",
                    errors: [.rollingOperationStatusInvalid, .rollingOperationHostState], lifecycle: .prototyped),
                message(
                    "retry", [param("self", .ref("Rolling_operation"), doc: "The failed run")],
                    doc: "Run a run that stopped on a failed member again: its failed hosts are tried again.",
                    errors: [.rollingOperationActive, .rollingOperationStatusInvalid], lifecycle: .prototyped),
            ],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
