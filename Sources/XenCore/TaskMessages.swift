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
        if services.taskControl.isRunning(task) {
            services.taskControl.requestDestroyWhenDone(task)
            return
        }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in try tx.delete("task", ref: task) }
    }

    func cancel(_ context: CallContext, task: ObjectRef) async throws {
        let ref = task.rawValue
        let snapshot = services.database.snapshot
        try services.requireObject(snapshot, "task", ref)
        guard snapshot.value("task", ref, "status") == .string("pending") else { return }
        services.taskControl.requestCancel(ref)
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.set("task", ref: ref, field: "status", value: .string("cancelling"))
            try tx.set("task", ref: ref, field: "current_operations", value: .structure([ref: "cancel"]))
        }
    }

    func setStatus(_ context: CallContext, object: ObjectRef, value: TaskStatusType) async throws {
        try await setField(object, "status", .string(value.rawValue))
        if value != .pending {
            try await setField(object, "finished", services.now())
            try await setField(object, "allowed_operations", .array([]))
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
