import Synchronization

/// A deterministic environment: virtual time that only moves when slept through, and UUIDs and
/// random bytes from a seeded generator. Used by tests and the simulator.
public final class SeededEnvironment: Sendable {
    private struct State {
        var generator: SplitMix64
        var virtualTime: Duration = .zero
    }
    private let state: Mutex<State>
    public let background = BackgroundWork()

    public init(seed: UInt64) {
        state = Mutex(State(generator: SplitMix64(seed: seed)))
    }

    /// The environment value to hand to the toolstack.
    public var environment: Environment {
        Environment(
            now: { [self] in virtualTime },
            sleep: { [self] duration in
                try Task.checkCancellation()
                advance(by: duration)
                await Task.yield()
            },
            wallClockSeconds: { [self] in 1_767_225_600 + virtualTime.components.seconds },
            makeUUID: { [self] in formatUUID(bytes(16)) },
            randomBytes: { [self] count in bytes(count) },
            background: background)
    }

    /// The virtual time elapsed so far.
    public var virtualTime: Duration { state.withLock { $0.virtualTime } }

    /// Moves virtual time forward.
    public func advance(by duration: Duration) { state.withLock { $0.virtualTime += duration } }

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
