/// Writes XML-RPC the way xapi does (ocaml-rpc's non-strict mode): strings and 64-bit ints as
/// untyped `<value>text</value>`, `<i4>` only for 32-bit ints, `<boolean>1</boolean>`, doubles
/// printed `%.16g`, and every response wrapped in the `Status`/`Value`/`ErrorDescription` struct.
public enum XMLRPCEncoder {
    /// The bytes of a successful `methodResponse` carrying `value`.
    public static func success(_ value: RPCValue) -> [UInt8] {
        var writer = ByteWriter(capacity: 512)
        writer.append("<?xml version=\"1.0\"?><methodResponse><params><param><value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name>")
        writeValue(value, into: &writer)
        writer.append("</member></struct></value></param></params></methodResponse>")
        return writer.bytes
    }

    /// A successful `methodResponse` handed to `emit` in chunks of about `chunkSize` bytes as it is
    /// encoded, for responses too large to build whole before sending. Each chunk is valid only
    /// during the call to `emit`: copy it out.
    public static func success(_ value: RPCValue, chunkSize: Int, emit: @escaping (UnsafeRawBufferPointer) -> Void) {
        var writer = ByteWriter(chunkSize: chunkSize, sink: emit)
        writer.append("<?xml version=\"1.0\"?><methodResponse><params><param><value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name>")
        writeValue(value, into: &writer)
        writer.append("</member></struct></value></param></params></methodResponse>")
        writer.finish()
    }

    /// The bytes of a failed `methodResponse`: `ErrorDescription` is `[code, args…]`.
    public static func failure(_ description: [String]) -> [UInt8] {
        var writer = ByteWriter(capacity: 256)
        writer.append("<?xml version=\"1.0\"?><methodResponse><params><param><value><struct><member><name>Status</name><value>Failure</value></member><member><name>ErrorDescription</name>")
        writeValue(.array(description.map(RPCValue.string)), into: &writer)
        writer.append("</member></struct></value></param></params></methodResponse>")
        return writer.bytes
    }

    /// A bare `methodResponse` without the Status envelope (xapi answers `system.listMethods` so).
    public static func bareResponse(_ value: RPCValue) -> [UInt8] {
        var writer = ByteWriter(capacity: 512)
        writer.append("<?xml version=\"1.0\"?><methodResponse><params><param>")
        writeValue(value, into: &writer)
        writer.append("</param></params></methodResponse>")
        return writer.bytes
    }

    /// A `methodCall` (what clients send; used by tests and our own clients).
    public static func call(method: String, params: [RPCValue]) -> [UInt8] {
        var writer = ByteWriter(capacity: 256)
        writer.append("<?xml version=\"1.0\"?><methodCall><methodName>")
        writeEscaped(method, into: &writer)
        writer.append("</methodName><params>")
        for param in params {
            writer.append("<param>")
            writeValue(param, into: &writer)
            writer.append("</param>")
        }
        writer.append("</params></methodCall>")
        return writer.bytes
    }

    /// One `<value>…</value>` fragment as text; xapi stores task results in this form.
    public static func fragment(_ value: RPCValue) -> String {
        var writer = ByteWriter()
        writeValue(value, into: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    static func writeValue(_ value: RPCValue, into writer: inout ByteWriter) {
        switch value {
        case .string(let text):
            writer.append("<value>")
            writeEscaped(text, into: &writer)
            writer.append("</value>")
        case .int(let number):
            writer.append("<value>")
            writer.appendDecimal(number)
            writer.append("</value>")
        case .int32(let number):
            writer.append("<value><i4>")
            writer.appendDecimal(Int64(number))
            writer.append("</i4></value>")
        case .bool(let flag):
            writer.append(flag ? "<value><boolean>1</boolean></value>" : "<value><boolean>0</boolean></value>")
        case .double(let number):
            writer.append("<value><double>")
            writer.appendDouble(number)
            writer.append("</double></value>")
        case .dateTime(let text):
            writer.append("<value><dateTime.iso8601>")
            writeEscaped(text, into: &writer)
            writer.append("</dateTime.iso8601></value>")
        case .base64(let text):
            writer.append("<value><base64>")
            writeEscaped(text, into: &writer)
            writer.append("</base64></value>")
        case .array(let elements):
            writer.append("<value><array><data>")
            for element in elements {
                writeValue(element, into: &writer)
                writer.flushIfFull()
            }
            writer.append("</data></array></value>")
        case .structure(let members):
            writer.append("<value><struct>")
            for (name, member) in members {
                writer.append("<member><name>")
                writeEscaped(name, into: &writer)
                writer.append("</name>")
                writeValue(member, into: &writer)
                writer.append("</member>")
                writer.flushIfFull()
            }
            writer.append("</struct></value>")
        case .record(let record):
            writer.append("<value><struct>")
            for (prefix, member) in zip(record.layout.xmlMemberPrefixes, record.values) {
                writer.append(prefix)
                writeValue(member, into: &writer)
                writer.append("</member>")
                writer.flushIfFull()
            }
            writer.append("</struct></value>")
        case .nil:
            writer.append("<value><nil/></value>")
        }
    }

    /// Escapes `<`, `>`, `&`, `"` and CR, and drops what XML 1.0 cannot carry: control characters
    /// other than tab, LF and CR, and the noncharacters U+FFFE and U+FFFF.
    static func writeEscaped(_ text: String, into writer: inout ByteWriter) {
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                let replacement: StaticString
                var width = 1
                switch byte {
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                // A raw CR would read back as LF (XML end-of-line handling); a reference survives.
                case 0x0D: replacement = "&#13;"
                case 0x09, 0x0A:
                    index += 1
                    continue
                case 0..<0x20: replacement = ""
                case 0xEF where index + 2 < utf8.count && utf8[index + 1] == 0xBF && utf8[index + 2] >= 0xBE:
                    replacement = ""
                    width = 3
                default:
                    index += 1
                    continue
                }
                writer.append(UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                writer.append(replacement)
                index += width
                runStart = index
            }
            writer.append(UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
    }
}
