extension DataModel {
    /// The `Repository` class: a source of updates (XenServer 8 update model).
    @_optimize(none)
    static func repositoryClass() -> ClassModel {
        ClassModel(
            name: "Repository", doc: "An update repository the pool can synchronise updates from.",
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
                    "binary_url", .string, .staticReadOnly, default: .string(""),
                    doc: "Base URL of the binary packages"),
                field(
                    "source_url", .string, .staticReadOnly, default: .string(""),
                    doc: "Base URL of the source packages"),
                field(
                    "update", .bool, .staticReadOnly, default: .bool(false),
                    doc: "Whether this is an update repository rather than a base one"),
                field("hash", .string, default: .string(""), doc: "Hash of the synchronised update metadata"),
                field(
                    "up_to_date", .bool, default: .bool(false), lifecycle: .removed,
                    doc: "Whether the repository was up to date (no longer maintained)"),
                field(
                    "gpgkey_path", .string, .staticReadOnly, default: .string(""), lifecycle: .prototyped,
                    doc: "Path of the GPG key used to verify the repository"),
                field(
                    "origin", .enumeration("origin"), .staticReadOnly, default: .enumeration("remote"),
                    doc: "Where the repository's content comes from"),
                field(
                    "certificate", .string, .staticReadOnly, default: .string(""),
                    doc: "Certificate of the remote pool serving the repository"),
            ],
            messages: [],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
