public import XenRPC

/// What every generated datamodel enum provides: its wire spelling and case-insensitive parsing.
public protocol ModelEnumeration: RawRepresentable<String>, CaseIterable, RPCResult, Hashable {}

extension ModelEnumeration {
    /// Parses a wire value the way xapi does: ignoring case.
    public init?(wire: String) {
        let lowered = wire.lowercased()
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
        self = match
    }

    public var rpcValue: RPCValue { .string(rawValue) }
}
