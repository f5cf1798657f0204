import Collections
import XenAPIModel
import XenDB
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
                members[field.name] = ValueCoercion.emptyValue(field.type, model: model)
            }
        }
        return .structure(members)
    }
}
