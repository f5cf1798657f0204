import Collections
import Synchronization

/// A task executor that runs nothing on its own: jobs queue until `runQueued()` runs them, one at
/// a time, on the caller's thread, in the order they arrived. Tasks that prefer it (and their
/// children) therefore interleave deterministically, and "nothing left to run" is observable,
/// which is what lets `SeededEnvironment.run` move virtual time only when everything is idle
/// (the idea of swift-nio's `EmbeddedEventLoop`).
final class SeededExecutor: TaskExecutor {
    private struct State {
        var jobs: Deque<UnownedJob> = []
        /// The driver, suspended until a job arrives.
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.jobs.append(job)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Runs queued jobs, and the jobs they queue, until none is left.
    func runQueued() {
        while let job = state.withLock({ $0.jobs.popFirst() }) {
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// Whether any job is waiting to run.
    var hasQueuedJobs: Bool { state.withLock { !$0.jobs.isEmpty } }

    /// Suspends until a job is queued (at once if one is): work finishing outside the executor
    /// wakes the driver without polling.
    func waitForJob() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if !state.jobs.isEmpty { return true }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
