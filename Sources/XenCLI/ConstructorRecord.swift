import Collections
import XenAPIModel
import XenRPC

/// The record a `<class>.create` call takes, as xe's create commands build it: the values the
/// command line gave, and for every other field the constructor requires its type's empty value.
enum ConstructorRecord {
    static func make(_ className: String, _ given: [String: RPCValue], model: DataModel = .current) -> RPCValue {
        guard let cls = model.class(named: className) else { return .structure([:]) }
        var members = OrderedDictionary<String, RPCValue>()
        for field in cls.fields where field.qualifier != .dynamicReadOnly {
            if let value = given[field.name] {
                members[field.name] = value
            } else if field.defaultValue == nil {
                members[field.name] = empty(field.type, model: model)
            }
        }
        return .structure(members)
    }

    private static func empty(_ type: FieldType, model: DataModel) -> RPCValue {
        switch type {
        case .string: .string("")
        case .int: .int(0)
        case .float: .double(0)
        case .bool: .bool(false)
        case .datetime: .dateTime("19700101T00:00:00Z")
        case .enumeration(let name): .string(model.enumeration(named: name)?.values.first ?? "")
        case .ref: .string("OpaqueRef:NULL")
        case .set: .array([])
        case .map, .record: .structure([:])
        }
    }
}
