import Collections
import XenRPC

/// Builds random XML-RPC values from a seed, so property tests are reproducible.
struct RandomValues {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// Text mixing markup characters, entities' ingredients, whitespace and non-ASCII.
    mutating func text() -> String {
        let pieces = ["a", "Z", "0", " ", "<", ">", "&", "\"", "'", "\t", "\n", "\r", "\r\n", "é", "€", "😀", "OpaqueRef:", "]]>", "-", "&amp;"]
        return (0..<below(12)).map { _ in pieces[below(pieces.count)] }.joined()
    }

    mutating func value(depth: Int = 0) -> RPCValue {
        switch below(depth > 3 ? 7 : 10) {
        case 0: return .string(text())
        case 1: return .int(Int64(bitPattern: next()) >> Int64(below(63)))
        case 2: return .int32(Int32(truncatingIfNeeded: next()))
        case 3: return .bool(next() & 1 == 0)
        case 4: return .double(Double(Int64(bitPattern: next()) >> 20) / Double(1 << below(30)))
        case 5: return .dateTime("20250319T04:16:\(10 + below(50))Z")
        case 6: return .nil
        case 7: return .array((0..<below(5)).map { _ in value(depth: depth + 1) })
        case 8 where next() & 1 == 0:
            let names = (0..<below(5)).map { "field_\($0)_" + text() }
            return .record(RecordFields(layout: RecordLayout(names: names), values: names.map { _ in value(depth: depth + 1) }))
        default:
            var members = OrderedDictionary<String, RPCValue>()
            for _ in 0..<below(5) { members[text()] = value(depth: depth + 1) }
            return .structure(members)
        }
    }
}
