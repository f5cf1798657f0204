import XenAPI
import XenDB
import XenRPC

/// `message.*`: alerts raised about objects, and queries by object and time.
struct AlertMessages: MessageActions {
    let services: CoreServices

    /// The database class each `cls` value names.
    private static let classes: [Cls: String] = [
        .vm: VM.className, .host: Host.className, .sr: SR.className, .pool: Pool.className, .vdi: VDI.className,
        .vmpp: VMPP.className, .vmss: VMSS.className, .pvsProxy: "PVS_proxy", .certificate: Certificate.className,
    ]

    func create(_ context: CallContext, name: String, priority: Int64, cls: Cls, objUUID: String, body: String)
        async throws -> Ref<Message>
    {
        let snapshot = services.database.snapshot
        if let className = Self.classes[cls], snapshot.schema[className] != nil, snapshot.ref(className, uuid: objUUID) == nil {
            throw XenAPIError.uuidInvalid(className: cls.rawValue, uuid: objUUID)
        }
        return try await Self.raise(services, name: name, priority: priority, cls: cls, objUUID: objUUID, body: body)
    }

    /// Raises an alert on the object with that uuid: a new `message` record, stamped now.
    @discardableResult
    static func raise(
        _ services: CoreServices, name: String, priority: Int64, cls: Cls, objUUID: String, body: String
    ) async throws(XenAPIError) -> Ref<Message> {
        let ref = services.makeRef(Message.self)
        let uuid = services.environment.makeUUID()
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.insert(ref) { message in
                message.uuid = uuid
                message.name = name
                message.priority = priority
                message.cls = cls
                message.objUUID = objUUID
                message.timestamp = now
                message.body = body
            }
        }
        return ref
    }

    func destroy(_ context: CallContext, object: Ref<Message>) async throws {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in try tx.delete(object) }
    }

    func destroyMany(_ context: CallContext, messages: [Ref<Message>]) async throws {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for message in messages { try tx.delete(message) }
        }
    }

    func get(_ context: CallContext, cls: Cls, objUUID: String, since: DateTime) async throws -> [Ref<Message>: Message] {
        records { $0.cls == cls && $0.objUUID == objUUID && $0.timestamp > since }
    }

    func getSince(_ context: CallContext, since: DateTime) async throws -> [Ref<Message>: Message] {
        records { $0.timestamp > since }
    }

    private func records(where predicate: (ObjectView<Message>) -> Bool) -> [Ref<Message>: Message] {
        var result: [Ref<Message>: Message] = [:]
        for message in services.database.snapshot.objects(Message.self) where predicate(message) {
            result[message.ref] = message.record
        }
        return result
    }
}
