import XenAPI
import Synchronization

/// In-memory control of the tasks this toolstack is running: cancellation requests (delivered
/// to the running call as Swift task cancellation) and destruction deferred until the end.
final class TaskControl: Sendable {
    private struct Entry {
        var cancelRequested = false
        var destroyWhenDone = false
        /// The waiter that turns a cancel request into cancellation of the running call.
        var waiter: CheckedContinuation<Void, Never>?
        /// Set once the waiter is no longer wanted (the call ended first).
        var waiterReleased = false
    }
    private let entries = Mutex<[Ref<Task>: Entry]>([:])

    func register(_ task: Ref<Task>) { entries.withLock { $0[task] = Entry() } }

    /// Asks the running call to stop; false when the task is not running here.
    @discardableResult
    func requestCancel(_ task: Ref<Task>) -> Bool {
        let (running, waiter) = entries.withLock { entries -> (Bool, CheckedContinuation<Void, Never>?) in
            guard entries[task] != nil else { return (false, nil) }
            entries[task]!.cancelRequested = true
            let waiter = entries[task]!.waiter
            entries[task]!.waiter = nil
            return (true, waiter)
        }
        waiter?.resume()
        return running
    }

    /// Marks a running task to be destroyed when it ends; false (and nothing marked) when it is not running.
    func destroyWhenDone(_ task: Ref<Task>) -> Bool {
        entries.withLock { entries in
            guard entries[task] != nil else { return false }
            entries[task]!.destroyWhenDone = true
            return true
        }
    }

    /// Returns once a cancel is requested for `task`, or when the calling child task is cancelled
    /// because the call ended first.
    func waitForCancelRequest(_ task: Ref<Task>) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = entries.withLock { entries -> Bool in
                    guard let entry = entries[task], !entry.cancelRequested, !entry.waiterReleased else { return true }
                    entries[task]!.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = entries.withLock { entries -> CheckedContinuation<Void, Never>? in
                guard entries[task] != nil else { return nil }
                entries[task]!.waiterReleased = true
                let waiter = entries[task]!.waiter
                entries[task]!.waiter = nil
                return waiter
            }
            waiter?.resume()
        }
    }

    /// Forgets the task; returns whether it was marked for destruction while it ran.
    func finish(_ task: Ref<Task>) -> Bool {
        entries.withLock { $0.removeValue(forKey: task)?.destroyWhenDone ?? false }
    }
}
