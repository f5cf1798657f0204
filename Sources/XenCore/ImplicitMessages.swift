import Collections
import XenAPI
import XenAPIModel
import XenDB
import XenRPC

/// The messages every class gets from the datamodel alone, implemented once, generically:
/// `get_record`, `get_by_uuid`, `get_by_name_label`, `get_all*`, `get_<field>`, `set_<field>`,
/// map and set add/remove, and `create`/`destroy` where the class has them.
enum ImplicitMessages {
    /// The implicit messages the model derives for the class (none for classes without a uuid).
    static func descriptors(
        for schema: ClassSchema, services: CoreServices, model: DataModel = .current
    ) -> [MessageDescriptor] {
        model.implicitMessages(of: schema.model).map { implicit in
            MessageDescriptor(
                className: schema.name, name: implicit.message.name, parameters: implicit.message.parameters,
                takesSession: true, hasAsync: implicit.message.hasAsync,
                handler: handler(implicit.kind, schema: schema, services: services))
        }
    }

    private static func handler(
        _ kind: ImplicitMessage.Kind, schema: ClassSchema, services: CoreServices
    ) -> MessageHandler<CallContext> {
        let className = schema.name
        let database = services.database
        let index = { (field: Field) in schema.fieldIndex[field.name]! }
        switch kind {
        case .getRecord:
            return { _, p in
                let ref = try p.decode(0, "self", as: String.self)
                guard let record = database.snapshot.record(className, ref) else {
                    throw XenAPIError.handleInvalid(className: className, handle: ref)
                }
                return record
            }
        case .getByUUID:
            return { _, p in
                let uuid = try p.decode(0, "uuid", as: String.self)
                guard let ref = database.snapshot.ref(className, uuid: uuid) else {
                    throw XenAPIError.uuidInvalid(className: className, uuid: uuid)
                }
                return .string(ref)
            }
        case .getByNameLabel:
            let labelIndex = schema.nameLabelIndex!
            return { _, p in
                let label = RPCValue.string(try p.decode(0, "label", as: String.self))
                let rows = database.snapshot.tables[className]?.rows ?? [:]
                return .array(rows.filter { $0.value.values[labelIndex] == label }.keys.sorted().map(RPCValue.string))
            }
        case .getAll:
            return { _, _ in .array(database.snapshot.refs(className).map(RPCValue.string)) }
        case .getAllRecords:
            return { _, _ in database.snapshot.allRecords(className) }
        case .getAllRecordsWhere:
            return { _, p in
                let expression = try FilterExpression.parse(try p.decode(0, "expr", as: String.self), for: schema)
                return database.snapshot.allRecords(className) { expression.matches($0, schema: schema) }
            }
        case .getAllWhere:
            return { _, p in
                let expression = try FilterExpression.parse(try p.decode(0, "expr", as: String.self), for: schema)
                let rows = database.snapshot.tables[className]?.rows ?? [:]
                return .array(rows.filter { expression.matches($0.value, schema: schema) }.keys.sorted().map(RPCValue.string))
            }
        case .get(let field):
            let position = index(field)
            return { _, p in
                let ref = try p.decode(0, "self", as: String.self)
                guard let row = database.snapshot.row(className, ref) else {
                    throw XenAPIError.handleInvalid(className: className, handle: ref)
                }
                return row.values[position]
            }
        case .set(let field):
            return { _, p in
                let ref = try p.decode(0, "self", as: String.self)
                let value = try ValueCoercion.coerce(try p.raw(1, "value"), to: field.type, field: field.name)
                try await database.write { (tx: inout Transaction) throws(XenAPIError) in
                    try tx.set(className, ref: ref, field: field.name, value: value)
                    try CreationRules.afterChange[className]?(&tx, ref)
                }
                return .string("")
            }
        case .addToMap(let field), .removeFromMap(let field):
            guard case .map(let keyType, let valueType) = field.type else { preconditionFailure("map message on \(field.type)") }
            let position = index(field)
            let adding = if case .addToMap = kind { true } else { false }
            return { _, p in
                let ref = try p.decode(0, "self", as: String.self)
                let key = try ValueCoercion.coerce(try p.raw(1, "key"), to: keyType, field: field.name)
                let value = adding ? try ValueCoercion.coerce(try p.raw(2, "value"), to: valueType, field: field.name) : nil
                let keyText = key.stringValue ?? DatabaseText.render(key)
                try await database.write { (tx: inout Transaction) throws(XenAPIError) in
                    guard let row = tx.snapshot.row(className, ref) else {
                        throw XenAPIError.handleInvalid(className: className, handle: ref)
                    }
                    var members = row.values[position].structureValue ?? [:]
                    if let value {
                        guard members[keyText] == nil else {
                            throw XenAPIError.mapDuplicateKey(className: className, field: field.name, object: ref, key: keyText)
                        }
                        members[keyText] = value
                    } else {
                        guard members.removeValue(forKey: keyText) != nil else { return }
                    }
                    try tx.set(className, ref: ref, field: field.name, value: .structure(members))
                    try CreationRules.afterChange[className]?(&tx, ref)
                }
                return .string("")
            }
        case .addToSet(let field), .removeFromSet(let field):
            guard case .set(let elementType) = field.type else { preconditionFailure("set message on \(field.type)") }
            let position = index(field)
            let adding = if case .addToSet = kind { true } else { false }
            return { _, p in
                try await updateSet(
                    database, className, position, field, try p.decode(0, "self"), try p.raw(1, "value"), elementType
                ) { (elements: inout [RPCValue], element: RPCValue) in
                    if adding {
                        if !elements.contains(element) { elements.append(element) }
                    } else {
                        elements.removeAll { $0 == element }
                    }
                }
            }
        case .create:
            return { _, p in .string(try await create(schema, record: try p.raw(0, "args"), services: services)) }
        case .destroy:
            return { _, p in
                let ref = try p.decode(0, "self", as: String.self)
                try await database.write { (tx: inout Transaction) throws(XenAPIError) in try tx.delete(className, ref: ref) }
                return .string("")
            }
        }
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
            try CreationRules.afterChange[className]?(&tx, ref)
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
                throw XenAPIError.internalError(message: "Dispatcher_FieldNotFound(\"\(field.name)\")")
            }
        }
        if schema.uuidIndex != nil { fields["uuid"] = .string(services.environment.makeUUID()) }
        let ref = services.makeOpaqueRef()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.insert(schema.name, ref: ref, fields: fields)
            try CreationRules.afterInsert[schema.name]?(&tx, ref, services)
        }
        return ref
    }
}
