public import XenRPC

/// The parameters of one call after the session, with defaults already filled in, and typed
/// accessors that turn a wrong type into `FIELD_TYPE_ERROR [parameter]`.
public struct MessageParameters: Sendable {
    public var values: [RPCValue]

    public init(_ values: [RPCValue]) { self.values = values }

    private func value(_ index: Int, _ name: String) throws(XenAPIError) -> RPCValue {
        guard index < values.count else { throw XenAPIError(code: "FIELD_TYPE_ERROR", parameters: [name]) }
        return values[index]
    }

    private func typeError(_ name: String) -> XenAPIError { XenAPIError(code: "FIELD_TYPE_ERROR", parameters: [name]) }

    /// The raw value.
    public func raw(_ index: Int, _ name: String) throws(XenAPIError) -> RPCValue { try value(index, name) }

    public func string(_ index: Int, _ name: String) throws(XenAPIError) -> String {
        guard case .string(let text) = try value(index, name) else { throw typeError(name) }
        return text
    }

    /// A datetime, sent as `<dateTime.iso8601>` or as text in any spelling xapi accepts, in canonical form.
    public func datetime(_ index: Int, _ name: String) throws(XenAPIError) -> String {
        let text: String
        switch try value(index, name) {
        case .dateTime(let value), .string(let value): text = value
        default: throw typeError(name)
        }
        guard let canonical = WireDateTime.canonical(text) else {
            throw XenAPIError(code: "INVALID_VALUE", parameters: [name, text])
        }
        return canonical
    }

    public func int(_ index: Int, _ name: String) throws(XenAPIError) -> Int64 {
        switch try value(index, name) {
        case .int(let number): return number
        case .int32(let number): return Int64(number)
        case .string(let text):
            guard let number = Int64(text) else { throw typeError(name) }
            return number
        default: throw typeError(name)
        }
    }

    public func float(_ index: Int, _ name: String) throws(XenAPIError) -> Double {
        switch try value(index, name) {
        case .double(let number): return number
        case .int(let number): return Double(number)
        case .int32(let number): return Double(number)
        case .string(let text):
            guard let number = Double(text) else { throw typeError(name) }
            return number
        default: throw typeError(name)
        }
    }

    public func bool(_ index: Int, _ name: String) throws(XenAPIError) -> Bool {
        guard case .bool(let flag) = try value(index, name) else { throw typeError(name) }
        return flag
    }

    public func ref(_ index: Int, _ name: String) throws(XenAPIError) -> ObjectRef {
        ObjectRef(try string(index, name))
    }

    public func enumeration<E: ModelEnumeration>(_ index: Int, _ name: String, as type: E.Type) throws(XenAPIError) -> E {
        let text = try string(index, name)
        guard let parsed = E(wire: text) else {
            throw XenAPIError(code: "INVALID_VALUE", parameters: [name, text])
        }
        return parsed
    }

    public func stringSet(_ index: Int, _ name: String) throws(XenAPIError) -> [String] {
        guard case .array(let elements) = try value(index, name) else { throw typeError(name) }
        var result: [String] = []
        for element in elements {
            guard case .string(let text) = element else { throw typeError(name) }
            result.append(text)
        }
        return result
    }

    public func stringMap(_ index: Int, _ name: String) throws(XenAPIError) -> [String: String] {
        guard case .structure(let members) = try value(index, name) else { throw typeError(name) }
        var result: [String: String] = [:]
        for (key, member) in members {
            guard case .string(let text) = member else { throw typeError(name) }
            result[key] = text
        }
        return result
    }
}

/// A value a message implementation can return; converted to the wire at the edge.
public protocol RPCResult: Sendable {
    var rpcValue: RPCValue { get }
}

extension String: RPCResult { public var rpcValue: RPCValue { .string(self) } }
extension Int64: RPCResult { public var rpcValue: RPCValue { .int(self) } }
extension Double: RPCResult { public var rpcValue: RPCValue { .double(self) } }
extension Bool: RPCResult { public var rpcValue: RPCValue { .bool(self) } }
extension ObjectRef: RPCResult { public var rpcValue: RPCValue { .string(rawValue) } }
extension RPCValue: RPCResult { public var rpcValue: RPCValue { self } }
extension Array: RPCResult where Element: RPCResult { public var rpcValue: RPCValue { .array(map(\.rpcValue)) } }

/// One implemented message: decode parameters, run, return the wire value.
public typealias MessageHandler<Context> = @Sendable (Context, MessageParameters) async throws -> RPCValue
