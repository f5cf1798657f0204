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
            ],
            messages: [],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
