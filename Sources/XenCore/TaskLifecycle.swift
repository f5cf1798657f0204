import XenAPI
import XenDB
import XenRPC

/// Creating, running and completing task objects: `Async.` calls and client-made tasks.
enum TaskLifecycle {
    /// Creates a pending task row (reaping old tasks first, as xapi's GC would).
    static func create(_ services: CoreServices, label: String, description: String) async throws(XenAPIError) -> String {
        let ref = services.makeRef()
        let uuid = services.environment.makeUUID()
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            Housekeeping.reapTasks(&tx, now: services.environment.wallClockSeconds())
            try tx.insert(
                "task", ref: ref,
                fields: [
                    "uuid": .string(uuid), "name_label": .string(label), "name_description": .string(description),
                    "allowed_operations": .array([.string("cancel")]), "status": .string("pending"), "created": now,
                    "resident_on": .string(services.localHost(tx.snapshot)), "progress": .double(0),
                ])
        }
        return ref
    }

    /// Starts `descriptor` as a task and returns the task ref at once; the call runs in the
    /// background service and records its outcome on the task.
    static func start(
        _ services: CoreServices, label: String, descriptor: MessageDescriptor, context: CallContext,
        parameters: MessageParameters
    ) async throws(XenAPIError) -> String {
        let task = try await create(services, label: label, description: "")
        services.taskControl.register(task)
        let taskContext = CallContext(
            session: context.session, task: ObjectRef(task), method: context.method, origin: context.origin)
        services.environment.background.submit {
            let outcome: Result<RPCValue, XenAPIError>
            do {
                outcome = .success(try await descriptor.handler(taskContext, parameters))
            } catch let error as XenAPIError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(XenAPIError.internalError(message: "\(error)"))
            }
            await complete(services, task: task, outcome: outcome)
        }
        return task
    }

    /// Records the outcome: `result` as an XML-RPC value fragment, or `error_info`; a cancel that
    /// was requested while it ran turns the outcome into `cancelled`.
    static func complete(_ services: CoreServices, task: String, outcome: Result<RPCValue, XenAPIError>) async {
        let requests = services.taskControl.finish(task)
        let now = services.now()
        try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            guard tx.snapshot.contains("task", task) else { return }
            if requests.destroyWhenDone {
                try tx.delete("task", ref: task)
                return
            }
            switch (outcome, requests.cancelRequested) {
            case (_, true):
                try tx.set("task", ref: task, field: "status", value: .string("cancelled"))
                try tx.set(
                    "task", ref: task, field: "error_info",
                    value: .array(XenAPIError.taskCancelled(taskRef: task).errorDescription.map(RPCValue.string)))
            case (.success(let value), false):
                try tx.set("task", ref: task, field: "status", value: .string("success"))
                try tx.set("task", ref: task, field: "result", value: .string(XMLRPCEncoder.fragment(value)))
            case (.failure(let error), false):
                try tx.set("task", ref: task, field: "status", value: .string("failure"))
                try tx.set("task", ref: task, field: "error_info", value: .array(error.errorDescription.map(RPCValue.string)))
            }
            try tx.set("task", ref: task, field: "progress", value: .double(1))
            try tx.set("task", ref: task, field: "finished", value: now)
            try tx.set("task", ref: task, field: "allowed_operations", value: .array([]))
            try tx.set("task", ref: task, field: "current_operations", value: .emptyStructure)
        }
    }
}
