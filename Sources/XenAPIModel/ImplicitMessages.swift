/// The messages every class gets from the datamodel alone (xapi's "implicit" messages): getters,
/// setters, map and set updates, lookups, and `create`/`destroy` where the class has them.
///
/// Derived in one place so the server's generic handlers, the typed client and the reference all
/// agree on which exist and what they take.
public struct ImplicitMessage: Sendable, Hashable {
    /// What the message does, with the field it works on.
    public enum Kind: Sendable, Hashable {
        case getRecord, getByUUID, getByNameLabel, getAll, getAllRecords, getAllRecordsWhere, getAllWhere
        case get(Field)
        case set(Field)
        case addToMap(Field)
        case removeFromMap(Field)
        case addToSet(Field)
        case removeFromSet(Field)
        case create, destroy
    }

    public var kind: Kind
    /// The message as a client sees it (parameters after the session, result, doc).
    public var message: MessageModel
}

extension DataModel {
    /// The implicit messages of `cls`, in a stable order; none for classes without a uuid,
    /// which are not served as objects.
    public func implicitMessages(of cls: ClassModel) -> [ImplicitMessage] {
        guard cls.field(named: "uuid") != nil else { return [] }
        let this = FieldType.ref(cls.name)
        let selfParam = Parameter(name: "self", type: this, doc: "The object", defaultValue: nil)
        let computed = Set(relations.filter { $0.manyClass == cls.name }.map(\.manyField))
        var messages: [ImplicitMessage] = []
        func add(_ kind: ImplicitMessage.Kind, _ name: String, _ parameters: [Parameter], _ result: FieldType?,
                 _ doc: String, async: Bool = false) {
            let role: Role = cls.implicitRole ?? (name.hasPrefix("get") ? .readOnly : .poolOperator)
            messages.append(
                ImplicitMessage(
                    kind: kind,
                    message: MessageModel(
                        name: name, parameters: parameters, result: result, doc: doc, errors: [], role: role,
                        hasAsync: async, takesSession: true, secretParameters: [], lifecycle: .published)))
        }
        func parameter(_ name: String, _ type: FieldType, _ doc: String) -> Parameter {
            Parameter(name: name, type: type, doc: doc, defaultValue: nil)
        }
        add(.getRecord, "get_record", [selfParam], .record(cls.name), "Get the whole record of the object.")
        add(.getByUUID, "get_by_uuid", [parameter("uuid", .string, "The UUID")], this, "Get the object with this UUID.")
        if cls.field(named: "name_label") != nil {
            add(.getByNameLabel, "get_by_name_label", [parameter("label", .string, "The name")], .set(this),
                "Get every object with this name label.")
        }
        if cls.exposesGetAll {
            let expr = parameter("expr", .string, "A filter expression over the fields")
            add(.getAll, "get_all", [], .set(this), "Get every object of the class.")
            add(.getAllRecords, "get_all_records", [], .map(this, .record(cls.name)), "Get every record of the class.")
            add(.getAllRecordsWhere, "get_all_records_where", [expr], .map(this, .record(cls.name)),
                "Get the records that match the expression.")
            add(.getAllWhere, "get_all_where", [expr], .set(this), "Get the objects that match the expression.")
        }
        for field in cls.fields {
            add(.get(field), "get_\(field.name)", [selfParam], field.type, "Get the field `\(field.name)`.")
            guard field.qualifier == .readWrite, !computed.contains(field.name) else { continue }
            add(.set(field), "set_\(field.name)", [selfParam, parameter("value", field.type, "The new value")], nil,
                "Set the field `\(field.name)`.")
            switch field.type {
            case .map(let key, let value):
                add(.addToMap(field), "add_to_\(field.name)",
                    [selfParam, parameter("key", key, "The key to add"), parameter("value", value, "Its value")], nil,
                    "Add a key to the map `\(field.name)`; the key must not be there yet.")
                add(.removeFromMap(field), "remove_from_\(field.name)", [selfParam, parameter("key", key, "The key")],
                    nil, "Remove a key from the map `\(field.name)`, if it is there.")
            case .set(let element):
                add(.addToSet(field), "add_\(field.name)", [selfParam, parameter("value", element, "The value")], nil,
                    "Add a value to the set `\(field.name)`.")
                add(.removeFromSet(field), "remove_\(field.name)", [selfParam, parameter("value", element, "The value")],
                    nil, "Remove a value from the set `\(field.name)`.")
            default:
                break
            }
        }
        if cls.hasImplicitConstructor {
            add(.create, "create", [parameter("args", .record(cls.name), "The constructor fields")], this,
                "Create an object from a record of its constructor fields.", async: true)
            add(.destroy, "destroy", [selfParam], nil, "Destroy the object.", async: true)
        }
        return messages
    }
}
