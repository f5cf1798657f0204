import Collections
public import XenAPI
public import XenAPIModel
public import XenRPC

/// Turns values from clients (or from disk) into the canonical form rows store, which is also
/// the wire form: enums in canonical case, ints as `.int`, datetimes compact, map keys as text.
public enum ValueCoercion {
    /// Coerces `value` to `type`; `field` names the field or parameter in the error.
    public static func coerce(_ value: RPCValue, to type: FieldType, field: String, model: DataModel = .current)
        throws(XenAPIError) -> RPCValue
    {
        let typeError = XenAPIError.fieldTypeError(field: field)
        switch type {
        case .string, .ref:
            guard case .string = value else { throw typeError }
            return value
        case .int:
            switch value {
            case .int: return value
            case .int32(let number): return .int(Int64(number))
            case .string(let text):
                guard let number = Int64(text) else { throw typeError }
                return .int(number)
            default: throw typeError
            }
        case .float:
            switch value {
            case .double: return value
            case .int(let number): return .double(Double(number))
            case .int32(let number): return .double(Double(number))
            case .string(let text):
                guard let number = Double(text) else { throw typeError }
                return .double(number)
            default: throw typeError
            }
        case .bool:
            guard case .bool = value else { throw typeError }
            return value
        case .datetime:
            switch value {
            case .dateTime(let text), .string(let text):
                guard let canonical = WireDateTime.canonical(text) else {
                    throw XenAPIError.invalidValue(field: field, value: text)
                }
                return .dateTime(canonical)
            default: throw typeError
            }
        case .enumeration(let name):
            guard case .string(let text) = value else { throw typeError }
            return .string(try canonicalEnum(text, name, field: field, model: model))
        case .set(let element):
            guard case .array(let elements) = value else { throw typeError }
            var result: [RPCValue] = []
            result.reserveCapacity(elements.count)
            for item in elements { result.append(try coerce(item, to: element, field: field, model: model)) }
            return .array(result)
        case .map(let keyType, let valueType):
            guard case .structure(let members) = value else { throw typeError }
            var result = OrderedDictionary<String, RPCValue>(minimumCapacity: members.count)
            for (key, member) in members {
                result[try canonicalKey(key, keyType, field: field, model: model)] =
                    try coerce(member, to: valueType, field: field, model: model)
            }
            return .structure(result)
        case .record:
            guard case .structure = value else { throw typeError }
            return value
        }
    }

    private static func canonicalEnum(_ text: String, _ name: String, field: String, model: DataModel)
        throws(XenAPIError) -> String
    {
        guard let enumeration = model.enumeration(named: name) else { return text }
        let lowered = text.lowercased()
        guard let match = enumeration.values.first(where: { $0.lowercased() == lowered }) else {
            throw XenAPIError.invalidValue(field: field, value: text)
        }
        return match
    }

    private static func canonicalKey(_ key: String, _ type: FieldType, field: String, model: DataModel)
        throws(XenAPIError) -> String
    {
        switch type {
        case .enumeration(let name): return try canonicalEnum(key, name, field: field, model: model)
        case .int:
            guard let number = Int64(key) else { throw XenAPIError.fieldTypeError(field: field) }
            return String(number)
        default: return key
        }
    }

    /// The value a field holds when nothing was given: its model default, else the type's empty value.
    public static func initialValue(for field: Field) -> RPCValue {
        if let value = field.defaultValue { return wireValue(value, type: field.type) }
        return emptyValue(field.type)
    }

    /// The type's empty value: `""`, `0`, `false`, the epoch, `OpaqueRef:NULL`, `[]`, `{}`.
    public static func emptyValue(_ type: FieldType, model: DataModel = .current) -> RPCValue {
        switch type {
        case .string: .string("")
        case .int: .int(0)
        case .float: .double(0)
        case .bool: .bool(false)
        case .datetime: .dateTime(WireDateTime.epoch)
        case .enumeration(let name): .string(model.enumeration(named: name)?.values.first ?? "")
        case .ref: .string(OpaqueRef.null)
        case .set: .array([])
        case .map, .record: .emptyStructure
        }
    }

    /// A datamodel value in canonical wire form.
    public static func wireValue(_ value: ModelValue, type: FieldType) -> RPCValue {
        switch value {
        case .string(let text): return .string(text)
        case .int(let number): return type == .float ? .double(Double(number)) : .int(number)
        case .float(let number): return .double(number)
        case .bool(let flag): return .bool(flag)
        case .datetime(let text): return .dateTime(text)
        case .enumeration(let name): return .string(name)
        case .nullRef: return .string(OpaqueRef.null)
        case .set(let elements):
            let elementType: FieldType = if case .set(let inner) = type { inner } else { .string }
            return .array(elements.map { wireValue($0, type: elementType) })
        case .map(let pairs):
            var members = OrderedDictionary<String, RPCValue>()
            let valueType: FieldType = if case .map(_, let inner) = type { inner } else { .string }
            for (key, member) in pairs { members[keyText(key)] = wireValue(member, type: valueType) }
            return .structure(members)
        }
    }

    private static func keyText(_ value: ModelValue) -> String {
        switch value {
        case .string(let text), .datetime(let text), .enumeration(let text): text
        case .int(let number): String(number)
        case .float(let number): String(number)
        case .bool(let flag): String(flag)
        case .nullRef: OpaqueRef.null
        case .set, .map: ""
        }
    }
}

