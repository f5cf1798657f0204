extension DataModel {
    /// The `VM_metrics` class: figures the toolstack measures for a VM.
    @_optimize(none)
    static func vmMetricsClass() -> ClassModel {
        ClassModel(
            name: "VM_metrics", doc: "Metrics measured for a VM by the toolstack.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                field("memory_actual", .int, column: "memory__actual", doc: "Memory currently allocated, in bytes"),
                field("VCPUs_number", .int, column: "VCPUs__number", doc: "Number of VCPUs currently assigned"),
                field(
                    "VCPUs_utilisation", .map(.int, .float), default: .emptyMap, lifecycle: .removed,
                    column: "VCPUs__utilisation", doc: "Utilisation of each VCPU (no longer maintained)"),
                field("VCPUs_CPU", .map(.int, .int), column: "VCPUs__CPU", doc: "Physical CPU each VCPU runs on"),
                field("VCPUs_params", .stringMap, column: "VCPUs__params", doc: "VCPU scheduling parameters in force"),
                field("VCPUs_flags", .map(.int, .stringSet), column: "VCPUs__flags", doc: "Flags of each VCPU"),
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
