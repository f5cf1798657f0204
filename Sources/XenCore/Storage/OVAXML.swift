import Foundation
import XenRPC

/// Writes values as an XVA's `ova.xml` holds them: ocaml-rpc's `Xmlrpc.to_string`, no XML
/// declaration and no whitespace, ints as plain strings (never `<i4>`), booleans as `1`/`0`.
enum OVAXML {
    static func encode(_ value: RPCValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 * 1024)
        write(value, into: &out)
        return out
    }

    private static func write(_ value: RPCValue, into out: inout [UInt8]) {
        out += Array("<value>".utf8)
        switch value {
        case .string(let text), .base64(let text): escape(text, into: &out)
        case .int(let number): out += Array(String(number).utf8)
        case .int32(let number): out += Array(String(number).utf8)
        case .double(let number): out += Array("<double>\(String(format: "%.16g", number))</double>".utf8)
        case .bool(let flag): out += Array("<boolean>\(flag ? 1 : 0)</boolean>".utf8)
        case .dateTime(let text): out += Array("<dateTime.iso8601>\(text)</dateTime.iso8601>".utf8)
        case .nil: break
        case .array(let elements):
            out += Array("<array><data>".utf8)
            for element in elements { write(element, into: &out) }
            out += Array("</data></array>".utf8)
        case .structure, .record:
            out += Array("<struct>".utf8)
            for (name, member) in value.structureValue ?? [:] {
                out += Array("<member><name>".utf8)
                escape(name, into: &out)
                out += Array("</name>".utf8)
                write(member, into: &out)
                out += Array("</member>".utf8)
            }
            out += Array("</struct>".utf8)
        }
        out += Array("</value>".utf8)
    }

    /// Escapes `& < > "` and drops control characters other than tab, newline and return.
    private static func escape(_ text: String, into out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            case UInt8(ascii: "\""): out += Array("&quot;".utf8)
            case 0x09, 0x0A, 0x0D: out.append(byte)
            case 0..<0x20: break
            default: out.append(byte)
            }
        }
    }
}
