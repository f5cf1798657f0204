extension DataModel {
    /// The `host_metrics` class: live memory and liveness figures of a host.
    @_optimize(none)
    static func hostMetricsClass() -> ClassModel {
        ClassModel(
            name: "host_metrics", doc: "Metrics reported for a host.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                namespace(
                    "memory",
                    [
                        field("total", .int, doc: "Total host memory, in bytes"),
                        field(
                            "free", .int, default: .int(0), lifecycle: .removed,
                            doc: "Free host memory, in bytes (no longer maintained)"),
                    ]),
                field("live", .bool, doc: "Whether the host is known to be alive"),
                field("last_updated", .datetime, doc: "When these metrics were last updated"),
                field("other_config", .stringMap, .readWrite, default: .emptyMap, doc: "Additional configuration"),
            ],
            messages: [],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
