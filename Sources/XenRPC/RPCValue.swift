public import Collections

/// One value on the XenAPI wire, shared by the XML-RPC and JSON-RPC codecs.
///
/// Struct members keep their order so records, envelopes and dumps come out the same way
/// every time.
public enum RPCValue: Sendable {
    case string(String)
    /// A 64-bit integer; XML-RPC writes it untyped (so clients see a string), JSON as a number.
    case int(Int64)
    /// A 32-bit integer written as `<i4>`; xapi uses it only for `event.from`'s `valid_ref_counts`.
    case int32(Int32)
    case double(Double)
    case bool(Bool)
    /// A datetime in xapi's wire form `20250319T04:16:24Z` (kept as text, as the wire carries it).
    case dateTime(String)
    /// Base64 text, undecoded.
    case base64(String)
    case array([RPCValue])
    case structure(OrderedDictionary<String, RPCValue>)
    /// A struct laid out by class (records straight from the database); see `RecordFields`.
    case record(RecordFields)
    case `nil`

    /// Whether the value is big enough (many members) that writing it out as it is encoded pays.
    public var isLarge: Bool {
        switch self {
        case .array(let elements): elements.count > 2000
        case .structure(let members): members.count > 200
        default: false
        }
    }

    /// The empty struct.
    public static let emptyStructure = RPCValue.structure([:])

    /// The string payload, if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [RPCValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members, if this is a struct (a record is converted).
    public var structureValue: OrderedDictionary<String, RPCValue>? {
        switch self {
        case .structure(let members): members
        case .record(let record): OrderedDictionary(uniqueKeys: record.layout.names, values: record.values)
        default: nil
        }
    }

    /// The member with this name, if this is a struct that has it.
    public subscript(member: String) -> RPCValue? {
        switch self {
        case .structure(let members): members[member]
        case .record(let record): record[member]
        default: nil
        }
    }
}

extension RPCValue: Hashable {
    /// Structural equality; a `.record` equals the `.structure` with the same members in the same order.
    public static func == (lhs: RPCValue, rhs: RPCValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.int32(let a), .int32(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.dateTime(let a), .dateTime(let b)): a == b
        case (.base64(let a), .base64(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.nil, .nil): true
        case (.structure(let a), .structure(let b)): a == b
        case (.record(let a), .record(let b)) where a.layout === b.layout: a.values == b.values
        case (.record, .structure), (.structure, .record), (.record, .record):
            lhs.structureValue == rhs.structureValue
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .string(let v): hasher.combine(0); hasher.combine(v)
        case .int(let v): hasher.combine(1); hasher.combine(v)
        case .int32(let v): hasher.combine(2); hasher.combine(v)
        case .double(let v): hasher.combine(3); hasher.combine(v)
        case .bool(let v): hasher.combine(4); hasher.combine(v)
        case .dateTime(let v): hasher.combine(5); hasher.combine(v)
        case .base64(let v): hasher.combine(6); hasher.combine(v)
        case .array(let v): hasher.combine(7); hasher.combine(v)
        case .nil: hasher.combine(8)
        case .structure(let members):
            hasher.combine(9)
            for (key, value) in members { hasher.combine(key); hasher.combine(value) }
        case .record(let record):
            hasher.combine(9)
            for (key, value) in zip(record.layout.names, record.values) { hasher.combine(key); hasher.combine(value) }
        }
    }
}

extension RPCValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: RPCValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, RPCValue)...) {
        self = .structure(OrderedDictionary(uniqueKeysWithValues: elements))
    }
}
