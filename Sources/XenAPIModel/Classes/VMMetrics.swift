extension DataModel {
    /// The `VM_metrics` class: figures the toolstack measures for a VM.
    @_optimize(none)
    static func vmMetricsClass() -> ClassModel {
        ClassModel(
            name: "VM_metrics", doc: "Metrics measured for a VM by the toolstack.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                namespace(
                    "memory",
                    [
                        field("actual", .int, doc: "Memory currently allocated, in bytes"),
                    ]),
                namespace(
                    "VCPUs",
                    [
                        field("number", .int, doc: "Number of VCPUs currently assigned"),
                        field(
                            "utilisation", .map(.int, .float), default: .emptyMap, lifecycle: .removed, doc: "Utilisation of each VCPU (no longer maintained)"),
                        field("CPU", .map(.int, .int), doc: "Physical CPU each VCPU runs on"),
                        field("params", .stringMap, doc: "VCPU scheduling parameters in force"),
                        field("flags", .map(.int, .stringSet), doc: "Flags of each VCPU"),
                    ]),
                field("state", .stringSet, doc: "The domain's run state flags"),
                field("start_time", .datetime, doc: "When the VM was last started"),
                field("install_time", .datetime, doc: "When the VM was installed"),
                field("last_updated", .datetime, doc: "When these metrics were last updated"),
                field("other_config", .stringMap, .readWrite, default: .emptyMap, doc: "Additional configuration"),
                field("hvm", .bool, default: .bool(false), doc: "Whether the running domain is HVM"),
                field("nested_virt", .bool, default: .bool(false), doc: "Whether nested virtualisation is enabled"),
                field("nomigrate", .bool, default: .bool(false), doc: "Whether the running domain may not migrate"),
                field(
                    "current_domain_type", .enumeration("domain_type"), default: .enumeration("unspecified"),
                    doc: "Type of the running domain"),
            ],
            messages: [],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
