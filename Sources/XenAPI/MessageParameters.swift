public import XenRPC

/// The parameters of one call after the session, with defaults already filled in, read as typed
/// values: a wrong type is `FIELD_TYPE_ERROR [parameter]`, a bad enum or datetime
/// `INVALID_VALUE [parameter, value]`.
public struct MessageParameters: Sendable {
    public var values: [RPCValue]

    public init(_ values: [RPCValue]) { self.values = values }

    /// The raw value.
    public func raw(_ index: Int, _ name: String) throws(XenAPIError) -> RPCValue {
        guard index < values.count else { throw XenAPIError.fieldTypeError(field: name) }
        return values[index]
    }

    /// The parameter at `index` as a `V`.
    public func decode<V: XenValue>(_ index: Int, _ name: String, as type: V.Type = V.self) throws(XenAPIError) -> V {
        try V(rpcValue: try raw(index, name), field: name)
    }
}

/// One implemented message: decode parameters, run, return the wire value.
public typealias MessageHandler<Context> = @Sendable (Context, MessageParameters) async throws -> RPCValue
