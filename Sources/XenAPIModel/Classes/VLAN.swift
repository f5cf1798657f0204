extension DataModel {
    /// The `VLAN` class: a tagged VLAN on a physical interface.
    @_optimize(none)
    static func vlanClass() -> ClassModel {
        ClassModel(
            name: "VLAN", doc: "A VLAN mux/demux: a tagged PIF carried on an untagged one.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                field("tagged_PIF", .ref("PIF"), .staticReadOnly, default: .nullRef, doc: "The interface the VLAN runs on"),
                field("untagged_PIF", .ref("PIF"), .staticReadOnly, default: .nullRef, doc: "The interface the VLAN presents"),
                field("tag", .int, .staticReadOnly, default: .int(-1), doc: "The VLAN tag (0 to 4094)"),
                field("other_config", .stringMap, .readWrite, default: .emptyMap, doc: "Additional configuration"),
            ],
            messages: [],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
