import Synchronization

/// A deterministic environment: virtual time that moves only when `advance(by:)` says so, or when
/// `run` finds nothing left to run (sleepers wake as their deadlines pass), and UUIDs and random
/// bytes from a seeded generator. Used by tests and the simulator.
public final class SeededEnvironment: Sendable {
    private struct Sleeper {
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var generator: SplitMix64
        var virtualTime: Duration = .zero
        var sleepers: [Int: Sleeper] = [:]
        var cancelled: Set<Int> = []
        var nextSleeper = 0
    }
    private let state: Mutex<State>
    private let executor = SeededExecutor()
    public let background = BackgroundWork()

    public init(seed: UInt64) {
        state = Mutex(State(generator: SplitMix64(seed: seed)))
    }

    /// The environment value to hand to the toolstack.
    public var environment: Environment {
        Environment(
            now: { [self] in virtualTime },
            sleep: { [self] duration in try await sleep(for: duration) },
            wallClockSeconds: { [self] in 1_767_225_600 + virtualTime.components.seconds },
            makeUUID: { [self] in formatUUID(bytes(16)) },
            randomBytes: { [self] count in bytes(count) },
            background: background)
    }

    /// The virtual time elapsed so far.
    public var virtualTime: Duration { state.withLock { $0.virtualTime } }

    /// How many tasks are sleeping on the virtual clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Moves virtual time forward, waking every sleeper whose deadline has passed.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.virtualTime += duration
            let now = state.virtualTime
            let ready = state.sleepers.filter { $0.value.deadline <= now }
                .sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }
            for (id, _) in ready { state.sleepers[id] = nil }
            return ready.map(\.value.continuation)
        }
        for continuation in due { continuation.resume() }
    }

    /// Runs `operation` on this environment's executor and drives it to the end without real
    /// time: every job that can run runs (the operation's, its children's, the background
    /// work's, one at a time); when none is left and the operation is still waiting, virtual
    /// time jumps to the next sleeper's deadline. Tests call everything inside it.
    public func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let task = Task(executorPreference: executor) {
            do {
                let value = try await operation()
                outcome.withLock { $0 = .success(value) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
        }
        return try await withTaskCancellationHandler {
            while true {
                executor.runQueued()
                if let result = outcome.withLock({ $0 }) { return try result.get() }
                if !advanceToNextDeadline() { await executor.waitForJob() }
            }
        } onCancel: {
            task.cancel()
        }
    }

    /// Suspends the caller (running on the executor) until every other job queued so far, and
    /// every job those queue, has run: "let everything else settle", without moving time.
    public func settle() async {
        while executor.hasQueuedJobs { await Task.yield() }
    }

    /// Moves virtual time to the earliest sleeper's deadline and wakes it; false when nobody sleeps.
    private func advanceToNextDeadline() -> Bool {
        guard let next = state.withLock({ $0.sleepers.values.map(\.deadline).min() }) else { return false }
        advance(by: max(next - virtualTime, .zero))
        return true
    }

    private func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        guard duration > .zero else { return }
        let id = state.withLock { state -> Int in
            state.nextSleeper += 1
            return state.nextSleeper
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelledEarly = state.withLock { state -> Bool in
                    if state.cancelled.remove(id) != nil { return true }
                    state.sleepers[id] = Sleeper(deadline: state.virtualTime + duration, continuation: continuation)
                    return false
                }
                if cancelledEarly { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                if let sleeper = state.sleepers.removeValue(forKey: id) { return sleeper }
                state.cancelled.insert(id)
                return nil
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        // A cancellation that arrived after the wake-up left a mark nobody will consume.
        _ = state.withLock { $0.cancelled.remove(id) }
    }

    private func bytes(_ count: Int) -> [UInt8] { state.withLock { $0.generator.bytes(count) } }
}

/// SplitMix64: a tiny, well-distributed seeded generator.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        while result.count < count {
            var word = next()
            for _ in 0..<8 where result.count < count {
                result.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return result
    }
}
