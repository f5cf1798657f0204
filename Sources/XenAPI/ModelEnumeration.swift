public import XenRPC

/// What every generated datamodel enum provides: its wire spelling and case-insensitive parsing.
public protocol ModelEnumeration: RawRepresentable<String>, CaseIterable, XenValue, XenMapKey {}

extension ModelEnumeration {
    /// Parses a wire value the way xapi does: ignoring case.
    public init?(wire: String) {
        let lowered = wire.lowercased()
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
        self = match
    }

    /// Reads a wire string; a value outside the enum is `INVALID_VALUE [field, value]`.
    public init(rpcValue value: RPCValue, field: String) throws(XenAPIError) {
        guard case .string(let text) = value else { throw XenAPIError.fieldTypeError(field: field) }
        guard let parsed = Self(wire: text) else { throw XenAPIError.invalidValue(field: field, value: text) }
        self = parsed
    }

    public var rpcValue: RPCValue { .string(rawValue) }
    public init?(mapKey: String) { self.init(wire: mapKey) }
    public var mapKey: String { rawValue }
}
