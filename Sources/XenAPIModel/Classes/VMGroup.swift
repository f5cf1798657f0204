extension DataModel {
    /// The `VM_group` class: VMs placed together by one policy.
    @_optimize(none)
    static func vmGroupClass() -> ClassModel {
        ClassModel(
            name: "VM_group",
            doc: "A VM group: its VMs are placed by its policy (anti_affinity: on different hosts where possible, at "
                + "start, evacuation and in rolling operations).",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                namespace(
                    "name",
                    [
                        field("label", .string, .readWrite, default: .string(""), doc: "Human-readable name"),
                        field("description", .string, .readWrite, default: .string(""), doc: "Human-readable description"),
                    ]),
                field(
                    "placement", .enumeration("placement_policy"), .staticReadOnly, default: .enumeration("normal"),
                    doc: "The group's placement policy"),
                field("VMs", .set(.ref("VM")), default: .emptySet, doc: "The VMs of the group"),
            ],
            messages: [
                message(
                    "destroy", [param("self", .ref("VM_group"), doc: "The group")],
                    doc: "Destroy the group; its VMs leave it.", role: .vmAdmin, replacesImplicit: true),
            ],
            hasImplicitConstructor: true, exposesGetAll: true, persisted: true, generatesEvents: true, implicitRole: .vmAdmin)
    }
}
