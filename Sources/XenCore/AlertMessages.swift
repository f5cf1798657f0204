import XenAPI
import XenDB
import XenRPC

/// `message.*`: alerts raised about objects, and queries by object and time.
struct AlertMessages: MessageActions {
    let services: CoreServices

    /// The database class each `cls` value names.
    private static let classes: [Cls: String] = [
        .vm: "VM", .host: "host", .sr: "SR", .pool: "pool", .vdi: "VDI", .vmpp: "VMPP", .vmss: "VMSS",
        .pvsProxy: "PVS_proxy", .certificate: "Certificate",
    ]

    func create(_ context: CallContext, name: String, priority: Int64, cls: Cls, objUUID: String, body: String)
        async throws -> ObjectRef
    {
        let snapshot = services.database.snapshot
        if let className = Self.classes[cls], snapshot.schema[className] != nil, snapshot.ref(className, uuid: objUUID) == nil {
            throw XenAPIError.uuidInvalid(className: cls.rawValue, uuid: objUUID)
        }
        let ref = services.makeRef()
        let fields: [String: RPCValue] = [
            "uuid": .string(services.environment.makeUUID()), "name": .string(name), "priority": .int(priority),
            "cls": .string(cls.rawValue), "obj_uuid": .string(objUUID), "timestamp": services.now(), "body": .string(body),
        ]
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.insert("message", ref: ref, fields: fields)
        }
        return ObjectRef(ref)
    }

    func destroy(_ context: CallContext, object: ObjectRef) async throws {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.delete("message", ref: object.rawValue)
        }
    }

    func destroyMany(_ context: CallContext, messages: RPCValue) async throws {
        let refs = messages.arrayValue?.compactMap(\.stringValue) ?? []
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for ref in refs { try tx.delete("message", ref: ref) }
        }
    }

    func get(_ context: CallContext, cls: Cls, objUUID: String, since: String) async throws -> RPCValue {
        let after = RPCValue.dateTime(since).epochSeconds
        return records { row, value in
            value(row, "cls") == .string(cls.rawValue) && value(row, "obj_uuid") == .string(objUUID)
                && (value(row, "timestamp")?.epochSeconds ?? 0) > after
        }
    }

    func getSince(_ context: CallContext, since: String) async throws -> RPCValue {
        let after = RPCValue.dateTime(since).epochSeconds
        return records { row, value in (value(row, "timestamp")?.epochSeconds ?? 0) > after }
    }

    private func records(matching predicate: @escaping (Row, (Row, String) -> RPCValue?) -> Bool) -> RPCValue {
        let snapshot = services.database.snapshot
        let schema = snapshot.schema["message"]!
        let value = { (row: Row, field: String) in schema.fieldIndex[field].map { row.values[$0] } }
        return snapshot.allRecords("message") { predicate($0, value) }
    }
}
