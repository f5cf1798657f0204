extension DataModel {
    /// The `VM_guest_metrics` class: what the guest agent reports about a VM.
    @_optimize(none)
    static func vmGuestMetricsClass() -> ClassModel {
        ClassModel(
            name: "VM_guest_metrics", doc: "Metrics reported from inside a VM by its guest agent.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                field("os_version", .stringMap, doc: "Operating system name and version"),
                field("PV_drivers_version", .stringMap, doc: "Version of the PV drivers"),
                field(
                    "PV_drivers_up_to_date", .bool, lifecycle: .deprecated,
                    doc: "Whether the PV drivers are up to date"),
                field(
                    "memory", .stringMap, default: .emptyMap, lifecycle: .removed,
                    doc: "Guest memory information (no longer maintained)"),
                field(
                    "disks", .stringMap, default: .emptyMap, lifecycle: .removed,
                    doc: "Guest disk information (no longer maintained)"),
                field("networks", .stringMap, doc: "Guest network addresses, keyed by device and family"),
                field("other", .stringMap, doc: "Other information reported by the guest"),
                field("last_updated", .datetime, doc: "When these metrics were last updated"),
                field("other_config", .stringMap, .readWrite, default: .emptyMap, doc: "Additional configuration"),
                field("live", .bool, default: .bool(false), doc: "Whether the guest agent is responding"),
                field(
                    "can_use_hotplug_vbd", .enumeration("tristate_type"), default: .enumeration("unspecified"),
                    doc: "Whether the guest supports hot-plugging disks"),
                field(
                    "can_use_hotplug_vif", .enumeration("tristate_type"), default: .enumeration("unspecified"),
                    doc: "Whether the guest supports hot-plugging network interfaces"),
                field(
                    "PV_drivers_detected", .bool, default: .bool(false),
                    doc: "Whether the guest has PV drivers installed"),
            ],
            messages: [],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
