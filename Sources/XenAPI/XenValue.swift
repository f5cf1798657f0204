import Collections
public import XenRPC

/// A Swift type that stands for a datamodel type: it reads itself from a wire value, leniently
/// as xapi does (an `int` may come as a string), and writes the canonical form, which is also
/// the form the database stores.
public protocol XenValue: Sendable {
    /// Reads a value from the wire; `field` names the field or parameter in the error
    /// (`FIELD_TYPE_ERROR [field]`, or `INVALID_VALUE [field, value]` for a bad enum or datetime).
    init(rpcValue value: RPCValue, field: String) throws(XenAPIError)
    /// The canonical wire form.
    var rpcValue: RPCValue { get }
}

/// A type that can key a datamodel map: on the wire, map keys are always text.
public protocol XenMapKey: Hashable, Sendable {
    init?(mapKey: String)
    var mapKey: String { get }
}

extension String: XenValue, XenMapKey {
    public init(rpcValue value: RPCValue, field: String) throws(XenAPIError) {
        guard case .string(let text) = value else { throw XenAPIError.fieldTypeError(field: field) }
        self = text
    }

    public var rpcValue: RPCValue { .string(self) }
    public init?(mapKey: String) { self = mapKey }
    public var mapKey: String { self }
}

extension Int64: XenValue, XenMapKey {
    public init(rpcValue value: RPCValue, field: String) throws(XenAPIError) {
        switch value {
        case .int(let number): self = number
        case .int32(let number): self = Int64(number)
        case .string(let text):
            guard let number = Int64(text) else { throw XenAPIError.fieldTypeError(field: field) }
            self = number
        default: throw XenAPIError.fieldTypeError(field: field)
        }
    }

    public var rpcValue: RPCValue { .int(self) }
    public init?(mapKey: String) { self.init(mapKey, radix: 10) }
    public var mapKey: String { String(self) }
}

extension Double: XenValue {
    public init(rpcValue value: RPCValue, field: String) throws(XenAPIError) {
        switch value {
        case .double(let number): self = number
        case .int(let number): self = Double(number)
        case .int32(let number): self = Double(number)
        case .string(let text):
            guard let number = Double(text) else { throw XenAPIError.fieldTypeError(field: field) }
            self = number
        default: throw XenAPIError.fieldTypeError(field: field)
        }
    }

    public var rpcValue: RPCValue { .double(self) }
}

extension Bool: XenValue {
    public init(rpcValue value: RPCValue, field: String) throws(XenAPIError) {
        guard case .bool(let flag) = value else { throw XenAPIError.fieldTypeError(field: field) }
        self = flag
    }

    public var rpcValue: RPCValue { .bool(self) }
}

extension RPCValue: XenValue {
    /// Any value, unchanged: for results the datamodel leaves open.
    public init(rpcValue value: RPCValue, field: String) { self = value }
    public var rpcValue: RPCValue { self }
}

extension Array: XenValue where Element: XenValue {
    public init(rpcValue value: RPCValue, field: String) throws(XenAPIError) {
        guard case .array(let elements) = value else { throw XenAPIError.fieldTypeError(field: field) }
        var result: [Element] = []
        result.reserveCapacity(elements.count)
        for element in elements { result.append(try Element(rpcValue: element, field: field)) }
        self = result
    }

    public var rpcValue: RPCValue { .array(map(\.rpcValue)) }
}

extension Dictionary: XenValue where Key: XenMapKey, Value: XenValue {
    public init(rpcValue value: RPCValue, field: String) throws(XenAPIError) {
        guard let members = value.structureValue else { throw XenAPIError.fieldTypeError(field: field) }
        var result: [Key: Value] = [:]
        result.reserveCapacity(members.count)
        for (text, member) in members {
            guard let key = Key(mapKey: text) else { throw XenAPIError.invalidValue(field: field, value: text) }
            result[key] = try Value(rpcValue: member, field: field)
        }
        self = result
    }

    /// Members sorted by key, so the same map always travels (and is stored) the same way.
    public var rpcValue: RPCValue {
        let pairs = map { ($0.key.mapKey, $0.value.rpcValue) }.sorted { $0.0 < $1.0 }
        return .structure(OrderedDictionary(uniqueKeysWithValues: pairs))
    }
}
