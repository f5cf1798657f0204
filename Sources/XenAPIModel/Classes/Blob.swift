extension DataModel {
    /// The `blob` class: binary data attached to an object and transferred over HTTP.
    @_optimize(none)
    static func blobClass() -> ClassModel {
        ClassModel(
            name: "blob", doc: "A binary large object, with its content transferred through the /blob handler.",
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
                field("size", .int, doc: "Size of the content, in bytes"),
                field(
                    "public", .bool, .readWrite, default: .bool(false),
                    doc: "Whether the content is readable without a session"),
                field("last_updated", .datetime, .staticReadOnly, doc: "When the content was last written"),
                field("mime_type", .string, .staticReadOnly, doc: "MIME type of the content"),
            ],
            messages: [],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
