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
                    "gpgkey_path", .string, default: .string(""), lifecycle: .prototyped,
                    doc: "Path of the GPG key used to verify the repository"),
                field(
                    "origin", .enumeration("origin"), .staticReadOnly, default: .enumeration("remote"),
                    doc: "Where the repository's content comes from"),
                field(
                    "certificate", .string, .staticReadOnly, default: .string(""),
                    doc: "Certificate of the remote pool serving the repository"),
            ],
            messages: [
                message(
                    "introduce",
                    [
                        param("name_label", .string, doc: "The name of the repository"),
                        param("name_description", .string, doc: "The description of the repository"),
                        param("binary_url", .string, doc: "Base URL of the binary packages"),
                        param("source_url", .string, doc: "Base URL of the source packages"),
                        param("update", .bool, doc: "Whether it is an update repository (true) or a base one (false)"),
                        param("gpgkey_path", .string, doc: "The file name of the GPG public key, in the key folder", default: .string("")),
                    ],
                    result: .ref("Repository"), doc: "Add a remote repository (a channel's base or update repository).",
                    errors: [.invalidBaseUrl, .blockedRepoUrl, .repositoryAlreadyExists, .invalidGpgkeyPath], role: .poolOperator),
                message(
                    "introduce_bundle",
                    [
                        param("name_label", .string, doc: "The name of the repository"),
                        param("name_description", .string, doc: "The description of the repository"),
                    ],
                    result: .ref("Repository"), doc: "Add the offline repository that bundles uploaded with PUT /bundle fill.",
                    errors: [.repositoryAlreadyExists, .bundleRepositoryAlreadyExists], role: .poolOperator, lifecycle: .prototyped),
                message(
                    "introduce_remote_pool",
                    [
                        param("name_label", .string, doc: "The name of the repository"),
                        param("name_description", .string, doc: "The description of the repository"),
                        param("binary_url", .string, doc: "https://<coordinator>/repository/enabled of the remote pool"),
                        param("certificate", .string, doc: "The host certificate of the remote pool's coordinator"),
                    ],
                    result: .ref("Repository"), doc: "Add another pool's coordinator as a repository.",
                    errors: [.invalidBaseUrl, .repositoryAlreadyExists], role: .poolOperator, lifecycle: .prototyped),
                message(
                    "forget", [param("self", .ref("Repository"), doc: "The repository to remove")],
                    doc: "Remove a repository that is not enabled in the pool.", errors: [.repositoryIsInUse], role: .poolOperator),
                message(
                    "set_gpgkey_path",
                    [
                        param("self", .ref("Repository"), doc: "The repository"),
                        param("value", .string, doc: "The file name of the GPG public key, in the key folder"),
                    ],
                    doc: "Set the key the repository's metadata is checked with.", errors: [.invalidGpgkeyPath, .repositoryIsInUse],
                    role: .poolOperator, lifecycle: .prototyped),
            ],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
