extension DataModel {
    /// The `network` class: a virtual switch that VIFs and PIFs connect to.
    @_optimize(none)
    static func networkClass() -> ClassModel {
        ClassModel(
            name: "network", doc: "A virtual network (bridge) connecting VIFs and PIFs.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                namespace(
                    "name",
                    [
                        field(
                            "label", .string, .readWrite, default: .string(""),
                            doc: "Human-readable name"),
                        field(
                            "description", .string, .readWrite, default: .string(""),
                            doc: "Human-readable description"),
                    ]),
                field(
                    "allowed_operations", .set(.enumeration("network_operations")), default: .emptySet,
                    doc: "Operations currently allowed on the network"),
                field(
                    "current_operations", .map(.string, .enumeration("network_operations")), default: .emptyMap,
                    doc: "Operations in progress, keyed by task reference"),
                field("VIFs", .set(.ref("VIF")), doc: "Virtual interfaces connected to the network"),
                field("PIFs", .set(.ref("PIF")), doc: "Physical interfaces connected to the network"),
                field("MTU", .int, .readWrite, default: .int(1500), doc: "Maximum transmission unit, in bytes"),
                field("other_config", .stringMap, .readWrite, doc: "Additional configuration"),
                field("bridge", .string, .staticReadOnly, default: .string(""), doc: "Name of the bridge on each host"),
                field(
                    "managed", .bool, .staticReadOnly, default: .bool(true),
                    doc: "Whether the toolstack manages the bridge"),
                field(
                    "blobs", .map(.string, .ref("blob")), default: .emptyMap,
                    doc: "Binary blobs attached to the network"),
                field("tags", .stringSet, .readWrite, default: .emptySet, doc: "User-defined tags"),
                field(
                    "default_locking_mode", .enumeration("network_default_locking_mode"),
                    default: .enumeration("unlocked"), doc: "Locking mode of VIFs that use the network default"),
                field(
                    "assigned_ips", .map(.ref("VIF"), .string), default: .emptyMap,
                    doc: "IP addresses assigned to VIFs by the toolstack"),
                field(
                    "purpose", .set(.enumeration("network_purpose")), default: .emptySet,
                    doc: "Special purposes the network serves"),
            ],
            messages: [],
            hasImplicitConstructor: true, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
