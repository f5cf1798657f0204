import Testing
import XenAPI
import XenAPIModel
import XenRPC
@testable import XenCore

@Suite("Task cancellation")
struct TaskCancellationTests {
    /// A message that waits an hour on the virtual clock, so a cancel has something to stop.
    private func slowDescriptor(_ harness: ToolstackHarness, finished: @escaping @Sendable () -> Void) -> MessageDescriptor {
        let environment = harness.toolstack.services.environment
        return MessageDescriptor(
            className: "pool", name: "slow", parameters: [], takesSession: true, hasAsync: true,
            handler: { _, _ in
                try await environment.sleep(.seconds(3600))
                finished()
                return .string("done")
            })
    }

    @Test("task.cancel stops a running call, which ends cancelled with TASK_CANCELLED")
    func cancelRunning() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        try await harness.run {
            let context = CallContext(session: Ref(session.stringValue!), task: nil, method: "pool.slow", origin: .network)
            let task = try await TaskLifecycle.start(
                harness.toolstack.services, label: "Async.pool.slow", descriptor: slowDescriptor(harness) {},
                context: context, parameters: MessageParameters([]))
            await harness.seeded.settle()
            #expect(harness.seeded.sleeperCount == 1, "the call is running")
            _ = try await harness.value("task.cancel", session, task.rpcValue)
            #expect(try await harness.waitForTask(session, task.rpcValue) == "cancelled")
            #expect(try await harness.value("task.get_error_info", session, task.rpcValue) == ["TASK_CANCELLED", task.rpcValue])
            #expect(try await harness.value("task.get_current_operations", session, task.rpcValue) == [:])
            #expect(harness.seeded.virtualTime == .zero, "stopped by the cancel, not by the clock")
        }
    }

    @Test("a cancel that comes after the call finished changes nothing")
    func cancelFinished() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        let task = try await harness.value("task.create", session, "client task", "")
        _ = try await harness.value("task.set_status", session, task, "success")
        _ = try await harness.value("task.cancel", session, task)
        #expect(try await harness.value("task.get_status", session, task) == "success")
    }
}
