public import Collections

/// One value on the XenAPI wire, shared by the XML-RPC and JSON-RPC codecs.
///
/// Struct members keep their order so records, envelopes and dumps come out the same way
/// every time.
public enum RPCValue: Sendable, Hashable {
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
    case `nil`

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

    /// The members, if this is a struct.
    public var structureValue: OrderedDictionary<String, RPCValue>? {
        if case .structure(let s) = self { return s }
        return nil
    }

    /// The member with this name, if this is a struct that has it.
    public subscript(member: String) -> RPCValue? {
        if case .structure(let s) = self { return s[member] }
        return nil
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
