import XenAPI
import XenDB
import XenRPC

/// Creating, running and completing task objects: `Async.` calls and client-made tasks.
enum TaskLifecycle {
    /// Creates a pending task row (reaping old tasks first, as xapi's GC would).
    static func create(_ services: CoreServices, label: String, description: String) async throws(XenAPIError) -> Ref<Task> {
        let ref = services.makeRef(Task.self)
        let uuid = services.environment.makeUUID()
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            Housekeeping.reapTasks(&tx, now: now)
            let host = services.localHost(tx.snapshot)
            try tx.insert(ref) { task in
                task.uuid = uuid
                task.nameLabel = label
                task.nameDescription = description
                task.allowedOperations = [.cancel]
                task.status = .pending
                task.created = now
                task.residentOn = host
            }
        }
        return ref
    }

    /// Starts `descriptor` as a task and returns the task ref at once; the call runs in the
    /// background service and records its outcome on the task. `task.cancel` cancels the call.
    static func start(
        _ services: CoreServices, label: String, descriptor: MessageDescriptor, context: CallContext,
        parameters: MessageParameters
    ) async throws(XenAPIError) -> Ref<Task> {
        let task = try await create(services, label: label, description: "")
        services.taskControl.register(task)
        let taskContext = CallContext(session: context.session, task: task, method: context.method, origin: context.origin)
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
                return outcome ?? .failure(XenAPIError.taskCancelled(taskRef: task.rawValue))
            }
            await complete(services, task: task, outcome: outcome)
        }
        if !accepted {
            await complete(services, task: task, outcome: .failure(XenAPIError.internalError(message: "xapid is shutting down")))
        }
        return task
    }

    private static func run(
        _ descriptor: MessageDescriptor, _ context: CallContext, _ parameters: MessageParameters, task: Ref<Task>
    ) async -> Result<RPCValue, XenAPIError> {
        do {
            return .success(try await descriptor.handler(context, parameters))
        } catch let error as XenAPIError {
            return .failure(error)
        } catch is CancellationError {
            return .failure(XenAPIError.taskCancelled(taskRef: task.rawValue))
        } catch {
            return .failure(XenAPIError.internalError(message: "\(error)"))
        }
    }

    /// Records the outcome: `result` as an XML-RPC value fragment, or `error_info`; a call that
    /// stopped because it was cancelled ends `cancelled`. A cancel the call finished before has
    /// no effect on the outcome, as in xapi.
    static func complete(_ services: CoreServices, task: Ref<Task>, outcome: Result<RPCValue, XenAPIError>) async {
        let destroy = services.taskControl.finish(task)
        let now = services.now()
        try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            guard tx.snapshot.contains(task) else { return }
            if destroy {
                try tx.delete(task)
                return
            }
            try tx.update(task) { task in
                switch outcome {
                case .success(let value):
                    task.status = .success
                    task.result = XMLRPCEncoder.fragment(value)
                case .failure(let error):
                    task.status = error.code == XenAPIError.taskCancelled(taskRef: "").code ? .cancelled : .failure
                    task.errorInfo = error.errorDescription
                }
                task.progress = 1
                finish(&task, at: now)
            }
        }
    }

    /// Marks a task no longer pending: finished now, no operations left.
    static func finish(_ task: inout ObjectEditor<Task>, at now: DateTime) {
        task.finished = now
        task.allowedOperations = []
        task.currentOperations = [:]
    }
}
