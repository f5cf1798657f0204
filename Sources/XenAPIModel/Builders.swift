/// Small factory functions the class files use to declare fields, parameters and messages tersely.
///
/// Plain functions rather than result builders: large builder bodies are slow to type-check.

/// Declares a field. Inside a `namespace` the name is the short one (`label` in `name`).
public func field(
    _ name: String, _ type: FieldType, _ qualifier: Qualifier = .dynamicReadOnly, default defaultValue: ModelValue? = nil,
    lifecycle: Lifecycle = .published, writeRole: Role = .poolOperator, doc: String = ""
) -> FieldDeclaration {
    .field(
        Field(
            shortName: name, type: type, qualifier: qualifier, defaultValue: defaultValue, lifecycle: lifecycle, doc: doc,
            writeRole: writeRole))
}

/// Declares fields inside a namespace, as xapi does: `namespace("memory", [field("static_max", …)])` gives the
/// wire name `memory_static_max` and the database column `memory__static_max`.
public func namespace(_ name: String, _ contents: [FieldDeclaration]) -> FieldDeclaration {
    .namespace(name, contents)
}

/// Declares a message parameter.
public func param(_ name: String, _ type: FieldType, doc: String = "", default defaultValue: ModelValue? = nil) -> Parameter {
    Parameter(name: name, type: type, doc: doc, defaultValue: defaultValue)
}

/// Declares a custom message.
public func message(
    _ name: String, _ parameters: [Parameter] = [], result: FieldType? = nil, doc: String, errors: [ErrorModel] = [],
    role: Role = .poolAdmin, async hasAsync: Bool = true, session takesSession: Bool = true,
    secret secretParameters: Set<String> = [], lifecycle: Lifecycle = .published, replacesImplicit: Bool = false
) -> MessageModel {
    MessageModel(
        name: name, parameters: parameters, result: result, doc: doc, errors: errors, role: role, hasAsync: hasAsync,
        takesSession: takesSession, secretParameters: secretParameters, lifecycle: lifecycle,
        replacesImplicit: replacesImplicit)
}

extension ModelValue {
    /// The empty string-to-string map, the most common default.
    public static let emptyMap = ModelValue.map([])
    /// The empty set.
    public static let emptySet = ModelValue.set([])
    /// xapi's "never": the epoch in wire form.
    public static let epoch = ModelValue.datetime("19700101T00:00:00Z")
}

extension FieldType {
    /// `(string -> string) map`, the most common map type.
    public static let stringMap = FieldType.map(.string, .string)
    /// `string set`.
    public static let stringSet = FieldType.set(.string)
}
