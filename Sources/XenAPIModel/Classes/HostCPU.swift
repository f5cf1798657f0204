extension DataModel {
    /// The `host_cpu` class: one physical CPU of a host.
    @_optimize(none)
    static func hostCPUClass() -> ClassModel {
        ClassModel(
            name: "host_cpu", doc: "A physical CPU of a host.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                field("host", .ref("host"), doc: "The host the CPU belongs to"),
                field("number", .int, doc: "The CPU's index within the host"),
                field("vendor", .string, doc: "CPU vendor"),
                field("speed", .int, doc: "Clock speed, in MHz"),
                field("modelname", .string, doc: "CPU model name"),
                field("family", .int, doc: "CPU family number"),
                field("model", .int, doc: "CPU model number"),
                field("stepping", .string, doc: "CPU stepping"),
                field("flags", .string, doc: "CPU flags"),
                field("features", .string, doc: "CPU feature bitmap"),
                field("utilisation", .float, doc: "Current utilisation, between 0 and 1"),
                field("other_config", .stringMap, .readWrite, default: .emptyMap, doc: "Additional configuration"),
            ],
            messages: [],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
