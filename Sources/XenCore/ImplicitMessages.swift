import Collections
import XenAPI
import XenAPIModel
import XenDB
import XenRPC

/// The messages every class gets from the datamodel alone, implemented once, generically:
/// `get_record`, `get_by_uuid`, `get_by_name_label`, `get_all*`, `get_<field>`, `set_<field>`,
/// map and set add/remove, and `create`/`destroy` where the class has them.
enum ImplicitMessages {
    /// The implicit messages of a class that has a uuid (every class served over the API).
    static func descriptors(for schema: ClassSchema, services: CoreServices) -> [MessageDescriptor] {
        let cls = schema.model
        let className = cls.name
        let selfParam = param("self", .ref(className), doc: "the object")
        var result: [MessageDescriptor] = []
        func add(
            _ name: String, _ parameters: [Parameter], async: Bool = false, _ handler: @escaping MessageHandler<CallContext>
        ) {
            result.append(
                MessageDescriptor(
                    className: className, name: name, parameters: parameters, takesSession: true, hasAsync: async,
                    handler: handler))
        }
        let database = services.database

        add("get_record", [selfParam]) { _, p in
            let ref = try p.string(0, "self")
            guard let record = database.snapshot.record(className, ref) else {
                throw XenAPIError.handleInvalid(className: className, handle: ref)
            }
            return record
        }
        add("get_by_uuid", [param("uuid", .string)]) { _, p in
            let uuid = try p.string(0, "uuid")
            guard let ref = database.snapshot.ref(className, uuid: uuid) else {
                throw XenAPIError.uuidInvalid(className: className, uuid: uuid)
            }
            return .string(ref)
        }
        if let labelIndex = schema.nameLabelIndex {
            add("get_by_name_label", [param("label", .string)]) { _, p in
                let label = RPCValue.string(try p.string(0, "label"))
                let snapshot = database.snapshot
                let rows = snapshot.tables[className]?.rows ?? [:]
                return .array(rows.filter { $0.value.values[labelIndex] == label }.keys.sorted().map(RPCValue.string))
            }
        }
        if cls.exposesGetAll {
            add("get_all", []) { _, _ in .array(database.snapshot.refs(className).map(RPCValue.string)) }
            add("get_all_records", []) { _, _ in database.snapshot.allRecords(className) }
            add("get_all_records_where", [param("expr", .string)]) { _, p in
                let expression = try FilterExpression.parse(try p.string(0, "expr"), for: schema)
                return database.snapshot.allRecords(className) { expression.matches($0, schema: schema) }
            }
            add("get_all_where", [param("expr", .string)]) { _, p in
                let expression = try FilterExpression.parse(try p.string(0, "expr"), for: schema)
                let snapshot = database.snapshot
                let rows = snapshot.tables[className]?.rows ?? [:]
                return .array(
                    rows.filter { expression.matches($0.value, schema: schema) }.keys.sorted().map(RPCValue.string))
            }
        }
        for (index, field) in cls.fields.enumerated() {
            add("get_\(field.name)", [selfParam]) { _, p in
                let ref = try p.string(0, "self")
                guard let row = database.snapshot.row(className, ref) else {
                    throw XenAPIError.handleInvalid(className: className, handle: ref)
                }
                return row.values[index]
            }
            guard field.qualifier == .readWrite, !schema.manySide.contains(index) else { continue }
            add("set_\(field.name)", [selfParam, param("value", field.type)]) { _, p in
                let ref = try p.string(0, "self")
                let value = try ValueCoercion.coerce(try p.raw(1, "value"), to: field.type, field: field.name)
                try await database.write { (tx: inout Transaction) throws(XenAPIError) in
                    try tx.set(className, ref: ref, field: field.name, value: value)
                }
                return .string("")
            }
            switch field.type {
            case .map(let keyType, let valueType):
                add(
                    "add_to_\(field.name)", [selfParam, param("key", keyType), param("value", valueType)]
                ) { _, p in
                    let ref = try p.string(0, "self")
                    let key = try ValueCoercion.coerce(try p.raw(1, "key"), to: keyType, field: field.name)
                    let value = try ValueCoercion.coerce(try p.raw(2, "value"), to: valueType, field: field.name)
                    let keyText = key.stringValue ?? DatabaseText.render(key)
                    try await database.write { (tx: inout Transaction) throws(XenAPIError) in
                        guard let row = tx.snapshot.row(className, ref) else {
                            throw XenAPIError.handleInvalid(className: className, handle: ref)
                        }
                        var members = row.values[index].structureValue ?? [:]
                        guard members[keyText] == nil else {
                            throw XenAPIError.mapDuplicateKey(
                                className: className, field: field.name, object: ref, key: keyText)
                        }
                        members[keyText] = value
                        try tx.set(className, ref: ref, field: field.name, value: .structure(members))
                    }
                    return .string("")
                }
                add("remove_from_\(field.name)", [selfParam, param("key", keyType)]) { _, p in
                    let ref = try p.string(0, "self")
                    let key = try ValueCoercion.coerce(try p.raw(1, "key"), to: keyType, field: field.name)
                    let keyText = key.stringValue ?? DatabaseText.render(key)
                    try await database.write { (tx: inout Transaction) throws(XenAPIError) in
                        guard let row = tx.snapshot.row(className, ref) else {
                            throw XenAPIError.handleInvalid(className: className, handle: ref)
                        }
                        var members = row.values[index].structureValue ?? [:]
                        guard members.removeValue(forKey: keyText) != nil else { return }
                        try tx.set(className, ref: ref, field: field.name, value: .structure(members))
                    }
                    return .string("")
                }
            case .set(let elementType):
                add("add_\(field.name)", [selfParam, param("value", elementType)]) { _, p in
                    try await updateSet(database, className, index, field, try p.string(0, "self"), try p.raw(1, "value"), elementType) {
                        if !$0.contains($1) { $0.append($1) }
                    }
                }
                add("remove_\(field.name)", [selfParam, param("value", elementType)]) { _, p in
                    try await updateSet(database, className, index, field, try p.string(0, "self"), try p.raw(1, "value"), elementType) {
                        (elements: inout [RPCValue], element: RPCValue) in elements.removeAll { $0 == element }
                    }
                }
            default:
                break
            }
        }
        if cls.hasImplicitConstructor {
            add("create", [param("args", .record(className), doc: "all constructor fields")], async: true) {
                _, p in
                .string(try await create(schema, record: try p.raw(0, "args"), services: services))
            }
            add("destroy", [selfParam], async: true) { _, p in
                let ref = try p.string(0, "self")
                try await database.write { (tx: inout Transaction) throws(XenAPIError) in try tx.delete(className, ref: ref) }
                return .string("")
            }
        }
        return result
    }

    private static func updateSet(
        _ database: PoolDatabase, _ className: String, _ index: Int, _ field: Field, _ ref: String, _ raw: RPCValue,
        _ elementType: FieldType, _ change: @escaping (inout [RPCValue], RPCValue) -> Void
    ) async throws(XenAPIError) -> RPCValue {
        let element = try ValueCoercion.coerce(raw, to: elementType, field: field.name)
        try await database.write { (tx: inout Transaction) throws(XenAPIError) in
            guard let row = tx.snapshot.row(className, ref) else {
                throw XenAPIError.handleInvalid(className: className, handle: ref)
            }
            var elements = row.values[index].arrayValue ?? []
            let before = elements
            change(&elements, element)
            guard elements != before else { return }
            try tx.set(className, ref: ref, field: field.name, value: .array(elements))
        }
        return .string("")
    }

    /// The implicit constructor: RW and RO-c fields from the record, defaults for the rest;
    /// a required field that is missing fails as xapi does, before anything is written.
    static func create(_ schema: ClassSchema, record: RPCValue, services: CoreServices) async throws(XenAPIError) -> String {
        guard case .structure(let members) = record else { throw XenAPIError.fieldTypeError(field: "args") }
        var fields: [String: RPCValue] = [:]
        for field in schema.fields where field.qualifier != .dynamicReadOnly {
            if let given = members[field.name] {
                fields[field.name] = try ValueCoercion.coerce(given, to: field.type, field: field.name)
            } else if field.defaultValue == nil {
                throw XenAPIError(code: "INTERNAL_ERROR", parameters: ["Dispatcher_FieldNotFound(\"\(field.name)\")"])
            }
        }
        if schema.uuidIndex != nil { fields["uuid"] = .string(services.environment.makeUUID()) }
        let ref = services.makeRef()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.insert(schema.name, ref: ref, fields: fields)
        }
        return ref
    }
}
