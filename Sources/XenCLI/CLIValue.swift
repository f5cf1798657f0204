/// A field's value as `xe` shows it: plain text, a map or a set.
public enum CLIValue: Sendable, Equatable {
    case text(String)
    case map([(key: String, value: String)])
    case set([String])
    /// A set xe joins with commas for compatibility (`tags`).
    case commaSet([String])

    /// The text xe prints: maps as `k1: v1; k2: v2`, sets as `a; b; c`.
    public var rendered: String {
        switch self {
        case .text(let text): text
        case .map(let pairs): pairs.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        case .set(let elements): elements.joined(separator: "; ")
        case .commaSet(let elements): elements.joined(separator: ", ")
        }
    }

    /// Whether a filter `field=wanted` (for maps, `field:key=wanted`, with `key` given) matches:
    /// text by equality, a set by membership.
    func matches(_ wanted: String, key: String?) -> Bool {
        switch self {
        case .text(let text): key == nil && text == wanted
        case .set(let elements), .commaSet(let elements): key == nil && elements.contains(wanted)
        case .map(let pairs):
            if let key { pairs.contains { $0.key == key && $0.value == wanted } } else { rendered == wanted }
        }
    }

    public static func == (lhs: CLIValue, rhs: CLIValue) -> Bool {
        switch (lhs, rhs) {
        case (.text(let a), .text(let b)): a == b
        case (.set(let a), .set(let b)), (.commaSet(let a), .commaSet(let b)): a == b
        case (.map(let a), .map(let b)): a.elementsEqual(b) { $0 == $1 }
        default: false
        }
    }
}
