/// The whole XenAPI datamodel swift-xapi serves: the single source of truth.
///
/// The server interprets it at runtime (implicit messages, schema, events), `xen-codegen`
/// turns it into the typed layer in `XenAPI` and into `api.json`.
public struct DataModel: Sendable {
    public var classes: [ClassModel]
    public var enums: [EnumModel]
    public var errors: [ErrorModel]
    public var relations: [Relation]
    /// Classes that fields refer to but that swift-xapi does not serve yet; their refs are always null.
    public var unmodelledClasses: Set<String>
    public var apiVersionMajor: Int
    public var apiVersionMinor: Int

    /// The model of this release.
    public static let current = DataModel(
        classes: allClasses(), enums: allEnums(), errors: allErrors(), relations: allRelations(),
        unmodelledClasses: unmodelledClassNames(), apiVersionMajor: 2, apiVersionMinor: 21)

    /// The class with this wire name (exact spelling).
    public func `class`(named name: String) -> ClassModel? { classes.first { $0.name == name } }

    /// The enum with this datamodel name.
    public func enumeration(named name: String) -> EnumModel? { enums.first { $0.name == name } }

    /// The error with this code.
    public func error(code: String) -> ErrorModel? { errors.first { $0.code == code } }
}
