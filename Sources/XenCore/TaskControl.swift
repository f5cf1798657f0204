import Synchronization

/// In-memory control flags of running tasks: cancellation requests and deferred destruction.
final class TaskControl: Sendable {
    private struct Flags {
        var cancelRequested = false
        var destroyWhenDone = false
    }
    private let flags = Mutex<[String: Flags]>([:])

    func register(_ task: String) { flags.withLock { $0[task] = Flags() } }

    /// Whether the task is still being run by this toolstack.
    func isRunning(_ task: String) -> Bool { flags.withLock { $0[task] != nil } }

    func requestCancel(_ task: String) { flags.withLock { $0[task]?.cancelRequested = true } }

    func isCancelRequested(_ task: String) -> Bool { flags.withLock { $0[task]?.cancelRequested ?? false } }

    func requestDestroyWhenDone(_ task: String) { flags.withLock { $0[task]?.destroyWhenDone = true } }

    /// Forgets the task; returns what was asked of it while it ran.
    func finish(_ task: String) -> (cancelRequested: Bool, destroyWhenDone: Bool) {
        let removed = flags.withLock { $0.removeValue(forKey: task) }
        return (removed?.cancelRequested ?? false, removed?.destroyWhenDone ?? false)
    }
}
