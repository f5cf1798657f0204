extension DataModel {
    /// The `secret` class: a password the pool keeps for its own use (the repository proxy's),
    /// referred to by other records instead of being stored in them.
    @_optimize(none)
    static func secretClass() -> ClassModel {
        ClassModel(
            name: "secret", doc: "A secret the pool keeps, such as a proxy password; only pool administrators read it.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                field("value", .string, .readWrite, default: .string(""), writeRole: .poolAdmin, doc: "The secret"),
                field("other_config", .stringMap, .readWrite, default: .emptyMap, doc: "Additional configuration"),
            ],
            messages: [],
            hasImplicitConstructor: true, exposesGetAll: true, persisted: true, generatesEvents: false, implicitRole: .poolAdmin)
    }
}
