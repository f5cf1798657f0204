/// The metamodel: what a XenAPI class, field, message, error and enum carries.
///
/// Modelled on xapi's `datamodel_types.mli`, keeping only what swift-xapi derives behaviour from.
/// Everything here is a plain value so the server, the database, the CLI and the generator can
/// all read one description of the API.

/// The type of a field, parameter or result, in datamodel notation.
public indirect enum FieldType: Sendable, Hashable, CustomStringConvertible {
    case string
    case int
    case float
    case bool
    case datetime
    /// An enumeration, by its datamodel name (for example `vm_power_state`).
    case enumeration(String)
    /// A reference to an object of the named class (for example `VM`).
    case ref(String)
    case set(FieldType)
    case map(FieldType, FieldType)
    /// A whole record of the named class.
    case record(String)

    /// The datamodel spelling, as xapi's documentation writes it (`VM ref set`, `(string -> string) map`).
    public var description: String {
        switch self {
        case .string: "string"
        case .int: "int"
        case .float: "float"
        case .bool: "bool"
        case .datetime: "datetime"
        case .enumeration(let name): "enum \(name)"
        case .ref(let cls): "\(cls) ref"
        case .set(let element): "\(element) set"
        case .map(let key, let value): "(\(key) -> \(value)) map"
        case .record(let cls): "\(cls) record"
        }
    }
}

/// Who may set a field, as in xapi: read-write, given at construction only, or server-managed.
public enum Qualifier: String, Sendable, Hashable {
    /// In the constructor record and settable with `set_<field>`.
    case readWrite = "RW"
    /// In the constructor record, read-only afterwards (xapi's StaticRO).
    case staticReadOnly = "RO-c"
    /// Managed by the server; not in the constructor (xapi's DynamicRO).
    case dynamicReadOnly = "RO"
}

/// Where a field or message stands in its lifecycle; deprecated and removed fields are still emitted.
public enum Lifecycle: String, Sendable, Hashable {
    case published
    case prototyped
    case deprecated
    case removed
}

/// A value as written in the datamodel: a field default or a parameter default.
public indirect enum ModelValue: Sendable, Hashable {
    case string(String)
    case int(Int64)
    case float(Double)
    case bool(Bool)
    /// A datetime in xapi's wire form, `19700101T00:00:00Z`.
    case datetime(String)
    case enumeration(String)
    /// `OpaqueRef:NULL`.
    case nullRef
    case set([ModelValue])
    case map([(ModelValue, ModelValue)])

    public static func == (lhs: ModelValue, rhs: ModelValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.float(let a), .float(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.datetime(let a), .datetime(let b)): a == b
        case (.enumeration(let a), .enumeration(let b)): a == b
        case (.nullRef, .nullRef): true
        case (.set(let a), .set(let b)): a == b
        case (.map(let a), .map(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .string(let v): hasher.combine(v)
        case .int(let v): hasher.combine(v)
        case .float(let v): hasher.combine(v)
        case .bool(let v): hasher.combine(v)
        case .datetime(let v): hasher.combine(v)
        case .enumeration(let v): hasher.combine(v)
        case .nullRef: hasher.combine(0)
        case .set(let v): hasher.combine(v)
        case .map(let v): for (k, x) in v { hasher.combine(k); hasher.combine(x) }
        }
    }
}

/// The lowest role allowed to call a message or write a field, in xapi's order of privilege.
public enum Role: String, Sendable, Hashable, Comparable, CaseIterable {
    case readOnly = "read-only"
    case vmOperator = "vm-operator"
    case vmAdmin = "vm-admin"
    case vmPowerAdmin = "vm-power-admin"
    case poolOperator = "pool-operator"
    case poolAdmin = "pool-admin"

    private var rank: Int { Role.allCases.firstIndex(of: self)! }
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// One field of a class.
public struct Field: Sendable, Hashable {
    /// The wire name: namespaces joined with `_` (`name_label`, `memory_static_max`).
    public var name: String
    /// The namespaces the field is declared in, outermost first (`["memory"]` for `memory_static_max`).
    public var namespaces: [String]
    public var type: FieldType
    public var qualifier: Qualifier
    /// What the constructor fills in when the record omits the field; `nil` means required
    /// (for RW and RO-c fields) or the type's empty value (for server-managed fields).
    public var defaultValue: ModelValue?
    public var lifecycle: Lifecycle
    public var doc: String
    /// The lowest role allowed to set the field.
    public var writeRole: Role
    /// The database column name, derived from the namespaces: they join with `__` (`name__label`).
    public var columnName: String { namespaces.isEmpty ? name : (namespaces + [shortName]).joined(separator: "__") }
    /// The name inside its innermost namespace (`static_max` for `memory_static_max`).
    public var shortName: String

    /// A field named `shortName` inside `namespaces` (outermost first).
    public init(
        shortName: String, namespaces: [String] = [], type: FieldType, qualifier: Qualifier, defaultValue: ModelValue?,
        lifecycle: Lifecycle, doc: String, writeRole: Role
    ) {
        self.name = (namespaces + [shortName]).joined(separator: "_")
        self.shortName = shortName
        self.namespaces = namespaces
        self.type = type
        self.qualifier = qualifier
        self.defaultValue = defaultValue
        self.lifecycle = lifecycle
        self.doc = doc
        self.writeRole = writeRole
    }
}

/// A field or a namespace of fields, as a class declares them (xapi's `namespace ~name:"memory"`).
public enum FieldDeclaration: Sendable, Hashable {
    case field(Field)
    case namespace(String, [FieldDeclaration])

    /// The fields in declaration order, each placed inside `outer` and any namespace around it.
    func flattened(in outer: [String]) -> [Field] {
        switch self {
        case .field(let field):
            return [
                Field(
                    shortName: field.shortName, namespaces: outer + field.namespaces, type: field.type,
                    qualifier: field.qualifier, defaultValue: field.defaultValue, lifecycle: field.lifecycle,
                    doc: field.doc, writeRole: field.writeRole)
            ]
        case .namespace(let name, let contents):
            return contents.flatMap { $0.flattened(in: outer + [name]) }
        }
    }
}

/// One parameter of a message (the leading session parameter is implied, never listed).
public struct Parameter: Sendable, Hashable {
    public var name: String
    public var type: FieldType
    public var doc: String
    /// Trailing parameters with a default may be left out by the caller.
    public var defaultValue: ModelValue?

    public init(name: String, type: FieldType, doc: String, defaultValue: ModelValue?) {
        self.name = name
        self.type = type
        self.doc = doc
        self.defaultValue = defaultValue
    }
}

/// A custom (hand-implemented) message of a class. Implicit messages are derived, not listed.
public struct MessageModel: Sendable, Hashable {
    public var name: String
    public var parameters: [Parameter]
    /// `nil` for `void`.
    public var result: FieldType?
    public var doc: String
    /// The errors the message documents.
    public var errors: [ErrorModel]
    public var role: Role
    /// Whether `Async.<Class>.<message>` exists.
    public var hasAsync: Bool
    /// Login calls take no session parameter.
    public var takesSession: Bool
    /// Parameters that carry secrets are never logged.
    public var secretParameters: Set<String>
    public var lifecycle: Lifecycle
    /// Whether the message deliberately takes the place of the implicit message of the same name
    /// (xapi's custom `destroy` of some classes); without it such a clash refuses to start.
    public var replacesImplicit: Bool

    public init(
        name: String, parameters: [Parameter], result: FieldType?, doc: String, errors: [ErrorModel],
        role: Role, hasAsync: Bool, takesSession: Bool, secretParameters: Set<String>, lifecycle: Lifecycle,
        replacesImplicit: Bool = false
    ) {
        self.name = name
        self.parameters = parameters
        self.result = result
        self.doc = doc
        self.errors = errors
        self.role = role
        self.hasAsync = hasAsync
        self.takesSession = takesSession
        self.secretParameters = secretParameters
        self.lifecycle = lifecycle
        self.replacesImplicit = replacesImplicit
    }
}

/// One class of the datamodel.
public struct ClassModel: Sendable, Hashable {
    /// The wire spelling (`VM`, `host`, `VM_guest_metrics`).
    public var name: String
    public var doc: String
    public var fields: [Field]
    public var messages: [MessageModel]
    /// Whether the implicit `create`/`destroy` exist (false where the class defines its own or has none).
    public var hasImplicitConstructor: Bool
    /// Whether `get_all`/`get_all_records` are exposed.
    public var exposesGetAll: Bool
    /// Whether rows survive a restart of the server.
    public var persisted: Bool
    /// Whether changes produce events for `event.from`.
    public var generatesEvents: Bool
    /// The lowest role any implicit message of the class needs, getters included (xapi's
    /// `messages_default_allowed_roles`); `nil` for the usual read-only getters.
    public var implicitRole: Role?

    public init(
        name: String, doc: String, fields: [FieldDeclaration], messages: [MessageModel], hasImplicitConstructor: Bool,
        exposesGetAll: Bool, persisted: Bool, generatesEvents: Bool, implicitRole: Role? = nil
    ) {
        self.implicitRole = implicitRole
        self.name = name
        self.doc = doc
        self.fields = fields.flatMap { $0.flattened(in: []) }
        self.messages = messages
        self.hasImplicitConstructor = hasImplicitConstructor
        self.exposesGetAll = exposesGetAll
        self.persisted = persisted
        self.generatesEvents = generatesEvents
    }

    /// The field with this wire name.
    public func field(named name: String) -> Field? { fields.first { $0.name == name } }
}

/// An error the API can return: a code and the names of its arguments.
public struct ErrorModel: Sendable, Hashable {
    public var code: String
    public var parameters: [String]
    public var doc: String

    public init(code: String, parameters: [String], doc: String) {
        self.code = code
        self.parameters = parameters
        self.doc = doc
    }
}

/// An enumeration and its values in canonical spelling.
public struct EnumModel: Sendable, Hashable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}

/// The two ends of a one-to-many relation: `one` is the ref field, `many` the computed set field.
public struct Relation: Sendable, Hashable {
    public var oneClass: String
    public var oneField: String
    public var manyClass: String
    public var manyField: String

    public init(oneClass: String, oneField: String, manyClass: String, manyField: String) {
        self.oneClass = oneClass
        self.oneField = oneField
        self.manyClass = manyClass
        self.manyField = manyField
    }
}
