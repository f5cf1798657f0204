public import XenAPI
public import XenRPC
import Synchronization

/// A connection to one XenAPI server over one wire format: encodes calls, decodes responses,
/// and turns a failure envelope into a `XenAPIError` with xapi's code and arguments.
/// Nothing in it assumes swift-xapi: it talks to XenServer the same way.
public final class XenAPIConnection: Sendable {
    /// The two wire formats xapi serves.
    public enum WireFormat: Sendable, Hashable {
        /// XML-RPC on `/` (what the Python SDK uses).
        case xmlrpc
        /// JSON-RPC 2.0 on `/jsonrpc`.
        case jsonrpc
    }

    public let transport: any XenAPITransport
    public let format: WireFormat
    private let nextID = Mutex<Int64>(0)

    public init(transport: any XenAPITransport, format: WireFormat = .xmlrpc) {
        self.transport = transport
        self.format = format
    }

    /// Calls `method` with `params` (the session first, where the message takes one) and returns
    /// the result; a XenAPI failure throws `XenAPIError`, a network one the transport's error.
    public func call(_ method: String, _ params: [RPCValue]) async throws -> RPCValue {
        switch format {
        case .xmlrpc:
            let body = XMLRPCEncoder.call(method: method, params: params)
            let response = try await transport.post(path: "/", contentType: "text/xml", body: body)
            return try Self.unwrapXMLRPC(try XMLRPCDecoder.decodeResponse(response))
        case .jsonrpc:
            let id = nextID.withLock { value -> Int64 in
                value += 1
                return value
            }
            let request: RPCValue = ["jsonrpc": "2.0", "method": .string(method), "params": .array(params), "id": .int(id)]
            let response = try await transport.post(path: "/jsonrpc", contentType: "application/json", body: JSONRPC.encode(request))
            return try Self.unwrapJSONRPC(try JSONRPC.decode(response))
        }
    }

    /// Calls `method` and reads the result as an `R`.
    public func invoke<R: XenValue>(_ method: String, _ params: [RPCValue]) async throws -> R {
        try R(rpcValue: try await call(method, params), field: method)
    }

    /// `{Status: "Success", Value: v}` or `{Status: "Failure", ErrorDescription: [code, args…]}`.
    static func unwrapXMLRPC(_ envelope: RPCValue) throws -> RPCValue {
        switch envelope["Status"]?.stringValue {
        case "Success": return envelope["Value"] ?? .string("")
        case "Failure": throw failure(envelope["ErrorDescription"]?.arrayValue ?? [])
        default: throw XenAPITransportError("not a XenAPI response: no Status")
        }
    }

    /// `{result: v}` or `{error: {message: code, data: [args…]}}` (v1's `error: [code, args…]` too).
    static func unwrapJSONRPC(_ envelope: RPCValue) throws -> RPCValue {
        if let error = envelope["error"], error != .nil {
            if let description = error.arrayValue { throw failure(description) }
            let code = error["message"] ?? .string("INTERNAL_ERROR")
            throw failure([code] + (error["data"]?.arrayValue ?? []))
        }
        guard let result = envelope["result"] else { throw XenAPITransportError("not a JSON-RPC response: no result") }
        return result
    }

    private static func failure(_ description: [RPCValue]) -> XenAPIError {
        XenAPIError(errorDescription: description.map { $0.stringValue ?? XMLRPCEncoder.fragment($0) })
    }
}
