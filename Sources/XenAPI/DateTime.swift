public import XenRPC

/// A XenAPI datetime: whole seconds since the Unix epoch, always UTC; the epoch means "never".
public struct DateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }

    /// `19700101T00:00:00Z`, which xapi uses for "never".
    public static let epoch = DateTime(secondsSinceEpoch: 0)

    /// Parses any spelling xapi accepts (compact or RFC 3339); `nil` if it is neither.
    public init?(wire text: String) {
        guard let seconds = WireDateTime.parse(text) else { return nil }
        self.secondsSinceEpoch = seconds
    }

    /// The compact wire form, `20250319T04:16:24Z`.
    public var wireText: String { WireDateTime.format(secondsSinceEpoch: secondsSinceEpoch) }

    public var description: String { wireText }

    public static func < (lhs: DateTime, rhs: DateTime) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }
}

extension DateTime: XenValue {
    /// Accepts `<dateTime.iso8601>` or text in any spelling xapi accepts.
    public init(rpcValue value: RPCValue, field: String) throws(XenAPIError) {
        switch value {
        case .dateTime(let text), .string(let text):
            guard let parsed = DateTime(wire: text) else { throw XenAPIError.invalidValue(field: field, value: text) }
            self = parsed
        default:
            throw XenAPIError.fieldTypeError(field: field)
        }
    }

    public var rpcValue: RPCValue { .dateTime(wireText) }
}
