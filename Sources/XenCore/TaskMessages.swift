import XenAPI
import XenDB
import XenRPC

/// `task.*`: client-made tasks, cancellation, destruction, and the setters owners use.
struct TaskMessages: TaskActions {
    let services: CoreServices

    func create(_ context: CallContext, label: String, description: String) async throws -> ObjectRef {
        ObjectRef(try await TaskLifecycle.create(services, label: label, description: description))
    }

    func destroy(_ context: CallContext, object: ObjectRef) async throws {
        let task = object.rawValue
        try services.requireObject(services.database.snapshot, "task", task)
        if services.taskControl.destroyWhenDone(task) { return }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            if tx.snapshot.contains("task", task) { try tx.delete("task", ref: task) }
        }
    }

    func cancel(_ context: CallContext, task: ObjectRef) async throws {
        let ref = task.rawValue
        let pending = try await services.database.write { (tx: inout Transaction) throws(XenAPIError) -> Bool in
            guard tx.snapshot.contains("task", ref) else { throw XenAPIError.handleInvalid(className: "task", handle: ref) }
            guard tx.snapshot.value("task", ref, "status") == .string("pending") else { return false }
            try tx.set("task", ref: ref, field: "status", value: .string("cancelling"))
            try tx.set("task", ref: ref, field: "current_operations", value: .structure([ref: "cancel"]))
            return true
        }
        if pending { services.taskControl.requestCancel(ref) }
    }

    func setStatus(_ context: CallContext, object: ObjectRef, value: TaskStatusType) async throws {
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.set("task", ref: object.rawValue, field: "status", value: .string(value.rawValue))
            if value != .pending {
                try tx.set("task", ref: object.rawValue, field: "finished", value: now)
                try tx.set("task", ref: object.rawValue, field: "allowed_operations", value: .array([]))
                try tx.set("task", ref: object.rawValue, field: "current_operations", value: .emptyStructure)
            }
        }
    }

    func setProgress(_ context: CallContext, object: ObjectRef, value: Double) async throws {
        try await setField(object, "progress", .double(value))
    }

    func setResult(_ context: CallContext, object: ObjectRef, value: String) async throws {
        try await setField(object, "result", .string(value))
    }

    func setErrorInfo(_ context: CallContext, object: ObjectRef, value: [String]) async throws {
        try await setField(object, "error_info", .array(value.map(RPCValue.string)))
    }

    private func setField(_ task: ObjectRef, _ field: String, _ value: RPCValue) async throws(XenAPIError) {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.set("task", ref: task.rawValue, field: field, value: value)
        }
    }
}
