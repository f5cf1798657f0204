import Synchronization
import XenCore

/// Random choices drawn from the seeded environment, so a run depends on its seed alone.
final class SimulationRandom: Sendable {
    private let environment: Environment

    init(_ environment: Environment) { self.environment = environment }

    /// A number in `0..<bound`.
    func below(_ bound: Int) -> Int {
        let bytes = environment.randomBytes(8)
        let value = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(value % UInt64(bound))
    }

    func element<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[below(items.count)] }
}

/// The run's record: one line per event, and a digest (FNV-1a) to compare runs by.
struct Trace: Sendable {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func append(_ line: String) {
        for byte in line.utf8 + [10] {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
    }

    var digest: String {
        let text = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
