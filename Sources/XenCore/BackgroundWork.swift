import Synchronization

/// A queue of work run as child tasks of `run()`, which the service group owns: asynchronous
/// XenAPI calls execute here, so shutting the service down waits for (or cancels) them.
public final class BackgroundWork: Sendable {
    public typealias Job = @Sendable () async -> Void
    private let stream: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation
    private let finished = Atomic<Bool>(false)

    /// Whether the queue was told to finish: long waits (a scheduled sync) end early.
    public var isFinishing: Bool { finished.load(ordering: .acquiring) }

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Job.self)
    }

    /// Queues `job`; it starts as soon as `run()` picks it up. False once the queue is finished.
    @discardableResult
    public func submit(_ job: @escaping Job) -> Bool {
        if case .terminated = continuation.yield(job) { return false }
        return true
    }

    /// Runs queued jobs concurrently until `finish()` is called and the queue drains, or until cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for await job in stream {
                group.addTask { await job() }
            }
        }
    }

    /// Stops accepting work; `run()` returns once running jobs end.
    public func finish() {
        finished.store(true, ordering: .releasing)
        continuation.finish()
    }
}
