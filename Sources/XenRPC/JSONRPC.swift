import Foundation
import Collections

/// Which JSON-RPC dialect a request used; the response answers in the same one.
public enum JSONRPCVersion: Sendable, Hashable {
    /// No `"jsonrpc"` key: `{"result", "error", "id"}` responses.
    case v1
    /// `"jsonrpc": "2.0"`: `{"jsonrpc", "result" | "error": {code, message, data}, "id"}` responses.
    case v2
}

/// A request id: JSON-RPC allows an integer or a string.
public enum JSONRPCID: Sendable, Hashable {
    case number(Int64)
    case string(String)
}

/// A decoded JSON-RPC request.
public struct JSONRPCRequest: Sendable, Hashable {
    public var version: JSONRPCVersion
    public var method: String
    public var params: [RPCValue]
    public var id: JSONRPCID
}

/// Why a JSON-RPC request could not be read.
public struct JSONRPCParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public var description: String { "JSON-RPC parse error: \(reason)" }
}

/// JSON-RPC v1 and v2 as xapi speaks them on `/jsonrpc`.
public enum JSONRPC {
    /// Decodes a request; notifications (no id), a non-string method and v1 without a params
    /// array are malformed, as in xapi.
    public static func decodeRequest(_ data: some Collection<UInt8>) throws(JSONRPCParseError) -> JSONRPCRequest {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(data), options: [.fragmentsAllowed])
        } catch {
            throw JSONRPCParseError(reason: "the body is not JSON")
        }
        guard let request = object as? [String: Any] else { throw JSONRPCParseError(reason: "the request is not an object") }
        let version: JSONRPCVersion
        switch request["jsonrpc"] {
        case nil: version = .v1
        case let text as String where text == "2.0": version = .v2
        default: throw JSONRPCParseError(reason: "unsupported jsonrpc version")
        }
        guard let method = request["method"] as? String else { throw JSONRPCParseError(reason: "method must be a string") }
        let id: JSONRPCID
        switch request["id"] {
        case let text as String: id = .string(text)
        case let number as NSNumber where !number.isBoolean && number.isIntegral: id = .number(number.int64Value)
        default: throw JSONRPCParseError(reason: "id must be an integer or a string")
        }
        var params: [RPCValue] = []
        switch request["params"] {
        case let array as [Any]: params = try array.map(value(from:))
        case nil, is NSNull:
            guard version == .v2 else { throw JSONRPCParseError(reason: "params must be an array") }
        case let object as [String: Any]:
            guard version == .v2 else { throw JSONRPCParseError(reason: "params must be an array") }
            params = [try value(from: object)]
        default: throw JSONRPCParseError(reason: "params must be an array")
        }
        return JSONRPCRequest(version: version, method: method, params: params, id: id)
    }

    /// The response bytes for a successful call.
    public static func success(_ value: RPCValue, version: JSONRPCVersion, id: JSONRPCID) -> [UInt8] {
        var writer = ByteWriter(capacity: 512)
        switch version {
        case .v1:
            writer.append("{\"result\":")
            JSONValueWriter.write(value, into: &writer)
            writer.append(",\"error\":null,\"id\":")
        case .v2:
            writer.append("{\"jsonrpc\":\"2.0\",\"result\":")
            JSONValueWriter.write(value, into: &writer)
            writer.append(",\"id\":")
        }
        write(id, into: &writer)
        writer.append("}")
        return writer.bytes
    }

    /// A successful response handed to `emit` in chunks of about `chunkSize` bytes as it is encoded;
    /// each chunk is valid only during the call to `emit`.
    public static func success(
        _ value: RPCValue, version: JSONRPCVersion, id: JSONRPCID, chunkSize: Int, emit: @escaping (UnsafeRawBufferPointer) -> Void
    ) {
        var writer = ByteWriter(chunkSize: chunkSize, sink: emit)
        writer.append(version == .v1 ? "{\"result\":" : "{\"jsonrpc\":\"2.0\",\"result\":")
        JSONValueWriter.write(value, into: &writer)
        writer.append(version == .v1 ? ",\"error\":null,\"id\":" : ",\"id\":")
        write(id, into: &writer)
        writer.append("}")
        writer.finish()
    }

    /// The response bytes for a failed call: v1 `error` is `[code, args…]`, v2 is
    /// `{"code": 1, "message": code, "data": [args…]}`.
    public static func failure(_ description: [String], version: JSONRPCVersion, id: JSONRPCID) -> [UInt8] {
        var writer = ByteWriter(capacity: 256)
        switch version {
        case .v1:
            writer.append("{\"result\":null,\"error\":")
            JSONValueWriter.write(.array(description.map(RPCValue.string)), into: &writer)
            writer.append(",\"id\":")
        case .v2:
            writer.append("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1,\"message\":")
            JSONValueWriter.writeString(description.first ?? "INTERNAL_ERROR", into: &writer)
            writer.append(",\"data\":")
            JSONValueWriter.write(.array(description.dropFirst().map(RPCValue.string)), into: &writer)
            writer.append("},\"id\":")
        }
        write(id, into: &writer)
        writer.append("}")
        return writer.bytes
    }

    /// A value as JSON text (used for snapshots and the journal, too).
    public static func encode(_ value: RPCValue) -> [UInt8] {
        var writer = ByteWriter(capacity: 256)
        JSONValueWriter.write(value, into: &writer)
        return writer.bytes
    }

    /// Reads JSON text into a value: numbers that are integral become `.int`, others `.double`.
    public static func decode(_ data: some Collection<UInt8>) throws(JSONRPCParseError) -> RPCValue {
        do {
            return try value(from: JSONSerialization.jsonObject(with: Data(data), options: [.fragmentsAllowed]))
        } catch let error as JSONRPCParseError {
            throw error
        } catch {
            throw JSONRPCParseError(reason: "not JSON")
        }
    }

    private static func write(_ id: JSONRPCID, into writer: inout ByteWriter) {
        switch id {
        case .number(let number): writer.appendDecimal(number)
        case .string(let text): JSONValueWriter.writeString(text, into: &writer)
        }
    }

    private static func value(from object: Any) throws(JSONRPCParseError) -> RPCValue {
        switch object {
        case is NSNull: return .nil
        case let text as String: return .string(text)
        case let number as NSNumber:
            if number.isBoolean { return .bool(number.boolValue) }
            if number.isIntegral { return .int(number.int64Value) }
            return .double(number.doubleValue)
        case let array as [Any]: return .array(try array.map(value(from:)))
        case let dictionary as [String: Any]:
            var members = OrderedDictionary<String, RPCValue>()
            for key in dictionary.keys.sorted() { members[key] = try value(from: dictionary[key]!) }
            return .structure(members)
        default: throw JSONRPCParseError(reason: "unsupported JSON value")
        }
    }
}

extension NSNumber {
    /// Whether JSONSerialization produced this number from `true`/`false`.
    fileprivate var isBoolean: Bool {
        #if canImport(Darwin)
        return CFGetTypeID(self) == CFBooleanGetTypeID()
        #else
        return type(of: self) == type(of: NSNumber(value: true))
        #endif
    }

    /// Whether the number is an integer that fits 64 bits.
    fileprivate var isIntegral: Bool {
        let type = String(cString: objCType)
        return ["c", "C", "s", "S", "i", "I", "l", "L", "q", "Q"].contains(type)
    }
}

/// Writes JSON text for a value: 64-bit ints as numbers, datetimes as strings.
enum JSONValueWriter {
    static func write(_ value: RPCValue, into writer: inout ByteWriter) {
        switch value {
        case .string(let text), .dateTime(let text), .base64(let text): writeString(text, into: &writer)
        case .int(let number): writer.appendDecimal(number)
        case .int32(let number): writer.appendDecimal(Int64(number))
        case .bool(let flag): writer.append(flag ? "true" : "false")
        case .double(let number):
            // The shortest text that reads back as the same double (the journal relies on it).
            if number.isFinite { writer.append(number.description) } else { writer.append("null") }
        case .array(let elements):
            writer.append("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { writer.append(",") }
                write(element, into: &writer)
                writer.flushIfFull()
            }
            writer.append("]")
        case .structure(let members):
            writer.append("{")
            var first = true
            for (name, member) in members {
                if !first { writer.append(",") }
                first = false
                writeString(name, into: &writer)
                writer.append(":")
                write(member, into: &writer)
                writer.flushIfFull()
            }
            writer.append("}")
        case .record(let record):
            writer.append("{")
            for (index, (key, member)) in zip(record.layout.jsonKeys, record.values).enumerated() {
                if index > 0 { writer.append(",") }
                writer.append(key)
                write(member, into: &writer)
            }
            writer.append("}")
        case .nil: writer.append("null")
        }
    }

    static func writeString(_ text: String, into writer: inout ByteWriter) {
        writer.append("\"")
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                writer.append(UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                switch byte {
                case UInt8(ascii: "\""): writer.append("\\\"")
                case UInt8(ascii: "\\"): writer.append("\\\\")
                case 0x0A: writer.append("\\n")
                case 0x0D: writer.append("\\r")
                case 0x09: writer.append("\\t")
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    writer.append("\\u00")
                    writer.append(hex[Int(byte >> 4)])
                    writer.append(hex[Int(byte & 0xF)])
                }
                runStart = index + 1
            }
            writer.append(UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        writer.append("\"")
    }
}
