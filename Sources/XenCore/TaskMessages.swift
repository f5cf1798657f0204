import XenAPI
import XenDB
import XenRPC

/// `task.*`: client-made tasks, cancellation, destruction, and the setters owners use.
struct TaskMessages: TaskActions {
    let services: CoreServices

    func create(_ context: CallContext, label: String, description: String) async throws -> Ref<Task> {
        try await TaskLifecycle.create(services, label: label, description: description)
    }

    func destroy(_ context: CallContext, object: Ref<Task>) async throws {
        _ = try services.database.snapshot.require(object)
        if services.taskControl.destroyWhenDone(object) { return }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            if tx.snapshot.contains(object) { try tx.delete(object) }
        }
    }

    func cancel(_ context: CallContext, task: Ref<Task>) async throws {
        let pending = try await services.database.write { (tx: inout Transaction) throws(XenAPIError) -> Bool in
            guard try tx.snapshot.require(task).status == .pending else { return false }
            try tx.update(task) { task in
                task.status = .cancelling
                task.currentOperations = [task.ref.rawValue: .cancel]
            }
            return true
        }
        if pending { services.taskControl.requestCancel(task) }
    }

    func setStatus(_ context: CallContext, object: Ref<Task>, value: TaskStatusType) async throws {
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.update(object) { task in
                task.status = value
                if value != .pending { TaskLifecycle.finish(&task, at: now) }
            }
        }
    }

    func setProgress(_ context: CallContext, object: Ref<Task>, value: Double) async throws {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in try tx.set(object, \.progress, value) }
    }

    func setResult(_ context: CallContext, object: Ref<Task>, value: String) async throws {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in try tx.set(object, \.result, value) }
    }

    func setErrorInfo(_ context: CallContext, object: Ref<Task>, value: [String]) async throws {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in try tx.set(object, \.errorInfo, value) }
    }
}
