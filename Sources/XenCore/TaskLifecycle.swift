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
    /// background service and records its outcome on the task. `task.cancel` cancels the call.
    static func start(
        _ services: CoreServices, label: String, descriptor: MessageDescriptor, context: CallContext,
        parameters: MessageParameters
    ) async throws(XenAPIError) -> String {
        let task = try await create(services, label: label, description: "")
        services.taskControl.register(task)
        let taskContext = CallContext(
            session: context.session, task: ObjectRef(task), method: context.method, origin: context.origin)
        let accepted = services.environment.background.submit {
            let outcome = await withTaskGroup(of: Result<RPCValue, XenAPIError>?.self) { group in
                group.addTask { await run(descriptor, taskContext, parameters, task: task) }
                group.addTask {
                    await services.taskControl.waitForCancelRequest(task)
                    return nil
                }
                var outcome: Result<RPCValue, XenAPIError>?
                for await item in group {
                    // Either the call ended (stop waiting for a cancel) or a cancel came (stop the call).
                    group.cancelAll()
                    if let item { outcome = item }
                }
                return outcome ?? .failure(XenAPIError.taskCancelled(taskRef: task))
            }
            await complete(services, task: task, outcome: outcome)
        }
        if !accepted {
            await complete(services, task: task, outcome: .failure(XenAPIError.internalError(message: "xapid is shutting down")))
        }
        return task
    }

    private static func run(
        _ descriptor: MessageDescriptor, _ context: CallContext, _ parameters: MessageParameters, task: String
    ) async -> Result<RPCValue, XenAPIError> {
        do {
            return .success(try await descriptor.handler(context, parameters))
        } catch let error as XenAPIError {
            return .failure(error)
        } catch is CancellationError {
            return .failure(XenAPIError.taskCancelled(taskRef: task))
        } catch {
            return .failure(XenAPIError.internalError(message: "\(error)"))
        }
    }

    /// Records the outcome: `result` as an XML-RPC value fragment, or `error_info`; a call that
    /// stopped because it was cancelled ends `cancelled`. A cancel the call finished before has
    /// no effect on the outcome, as in xapi.
    static func complete(_ services: CoreServices, task: String, outcome: Result<RPCValue, XenAPIError>) async {
        let destroy = services.taskControl.finish(task)
        let now = services.now()
        try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            guard tx.snapshot.contains("task", task) else { return }
            if destroy {
                try tx.delete("task", ref: task)
                return
            }
            switch outcome {
            case .success(let value):
                try tx.set("task", ref: task, field: "status", value: .string("success"))
                try tx.set("task", ref: task, field: "result", value: .string(XMLRPCEncoder.fragment(value)))
            case .failure(let error):
                let status = error.code == "TASK_CANCELLED" ? "cancelled" : "failure"
                try tx.set("task", ref: task, field: "status", value: .string(status))
                try tx.set("task", ref: task, field: "error_info", value: .array(error.errorDescription.map(RPCValue.string)))
            }
            try tx.set("task", ref: task, field: "progress", value: .double(1))
            try tx.set("task", ref: task, field: "finished", value: now)
            try tx.set("task", ref: task, field: "allowed_operations", value: .array([]))
            try tx.set("task", ref: task, field: "current_operations", value: .emptyStructure)
        }
    }
}
