import Collections

/// Why an XML-RPC document could not be read.
public struct XMLRPCParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    /// Byte offset into the document where reading stopped.
    public var offset: Int

    public var description: String { "XML-RPC parse error at byte \(offset): \(reason)" }
}

/// A decoded `methodCall`.
public struct XMLRPCCall: Sendable, Hashable {
    public var method: String
    public var params: [RPCValue]
    /// The first text that was not valid UTF-8 (decoded with replacement characters), if any:
    /// xapi answers such a call with `INVALID_VALUE ["Invalid UTF-8 string in parameter", text]`.
    public var invalidUTF8: String?
}

/// Reads the closed XML-RPC grammar straight from bytes.
///
/// Accepts what ocaml-rpc accepts (`<int>`, `<i4>`, `<i8>`, `<boolean>`, `<double>`, `<string>`,
/// untyped text, empty values, `<dateTime.iso8601>`, `<base64>`, `<array>`, `<struct>`, `<nil/>`),
/// the five named entities and numeric character references, comments and an XML declaration.
/// Document type declarations (and so entity definitions and their expansion) are refused
/// outright, as are unknown entities.
public struct XMLRPCDecoder {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var invalidUTF8: String?
    /// Nesting limit so a hostile document cannot exhaust the stack.
    private static let maximumDepth = 64

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Decodes a `methodCall` document.
    public static func decodeCall(_ data: some Collection<UInt8>) throws(XMLRPCParseError) -> XMLRPCCall {
        try withBuffer(data) { (decoder: inout XMLRPCDecoder) throws(XMLRPCParseError) in try decoder.readCall() }
    }

    /// Decodes a `methodResponse` document into its single value; a `<fault>` becomes its struct.
    public static func decodeResponse(_ data: some Collection<UInt8>) throws(XMLRPCParseError) -> RPCValue {
        try withBuffer(data) { (decoder: inout XMLRPCDecoder) throws(XMLRPCParseError) in try decoder.readResponse() }
    }

    private static func withBuffer<T>(
        _ data: some Collection<UInt8>, _ body: (inout XMLRPCDecoder) throws(XMLRPCParseError) -> T
    ) throws(XMLRPCParseError) -> T {
        let array = Array(data)
        let result: Result<T, XMLRPCParseError> = array.withUnsafeBufferPointer { buffer in
            var decoder = XMLRPCDecoder(buffer)
            do throws(XMLRPCParseError) { return .success(try body(&decoder)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    // MARK: Documents

    private mutating func readCall() throws(XMLRPCParseError) -> XMLRPCCall {
        try skipProlog()
        try expectOpen("methodCall", allowEmpty: false)
        try skipWhitespace()
        try expectOpen("methodName", allowEmpty: false)
        let method = try readText()
        try expectClose("methodName")
        try skipWhitespace()
        var params: [RPCValue] = []
        if try !expectOpen("params") {
            try skipWhitespace()
            while try peekOpen("param") {
                try expectOpen("param", allowEmpty: false)
                try skipWhitespace()
                params.append(try readValue(depth: 0))
                try skipWhitespace()
                try expectClose("param")
                try skipWhitespace()
            }
            try expectClose("params")
        }
        try skipWhitespace()
        try expectClose("methodCall")
        try skipMisc()
        try expectEnd()
        return XMLRPCCall(method: method.trimmingWhitespace(), params: params, invalidUTF8: invalidUTF8)
    }

    private mutating func readResponse() throws(XMLRPCParseError) -> RPCValue {
        try skipProlog()
        try expectOpen("methodResponse", allowEmpty: false)
        try skipWhitespace()
        let value: RPCValue
        if try peekOpen("fault") {
            try expectOpen("fault", allowEmpty: false)
            try skipWhitespace()
            value = try readValue(depth: 0)
            try skipWhitespace()
            try expectClose("fault")
        } else {
            try expectOpen("params", allowEmpty: false)
            try skipWhitespace()
            try expectOpen("param", allowEmpty: false)
            try skipWhitespace()
            value = try readValue(depth: 0)
            try skipWhitespace()
            try expectClose("param")
            try skipWhitespace()
            try expectClose("params")
        }
        try skipWhitespace()
        try expectClose("methodResponse")
        try skipMisc()
        try expectEnd()
        return value
    }

    // MARK: Values

    private mutating func readValue(depth: Int) throws(XMLRPCParseError) -> RPCValue {
        guard depth < Self.maximumDepth else { throw fail("values nested too deeply") }
        if try expectOpen("value") { return .string("") }
        // Untyped text, or whitespace followed by a type tag.
        let textStart = position
        let leading = try readText()
        guard let tag = peekTagName() else { throw fail("unterminated <value>") }
        if tag == "/value" {
            try expectClose("value")
            return .string(leading)
        }
        guard leading.allSatisfy(\.isXMLWhitespace), bytes[textStart..<position].allSatisfy({ $0 != UInt8(ascii: "&") })
        else { throw fail("text before <\(tag)> inside <value>") }
        let value: RPCValue
        switch tag {
        case "string":
            value = .string(try readScalar("string"))
        case "int", "i4", "i8":
            let text = try readScalar(tag).trimmingWhitespace()
            guard let number = Int64(text) else { throw fail("not an integer: \(text)") }
            value = .int(number)
        case "boolean":
            value = .bool(try readScalar("boolean").trimmingWhitespace() == "1")
        case "double":
            let text = try readScalar("double").trimmingWhitespace()
            guard let number = Double(text) else { throw fail("not a double: \(text)") }
            value = .double(number)
        case "dateTime.iso8601":
            value = .dateTime(try readScalar(tag).trimmingWhitespace())
        case "base64":
            value = .base64(try readScalar("base64").filter { !$0.isXMLWhitespace })
        case "nil":
            if try !expectOpen("nil") { try expectClose("nil") }
            value = .nil
        case "array":
            value = try readArray(depth: depth)
        case "struct":
            value = try readStruct(depth: depth)
        default:
            throw fail("unknown value type <\(tag)>")
        }
        try skipWhitespace()
        try expectClose("value")
        return value
    }

    private mutating func readScalar(_ tag: String) throws(XMLRPCParseError) -> String {
        if try expectOpen(tag) { return "" }
        let text = try readText()
        try expectClose(tag)
        return text
    }

    private mutating func readArray(depth: Int) throws(XMLRPCParseError) -> RPCValue {
        if try expectOpen("array") { return .array([]) }
        try skipWhitespace()
        var elements: [RPCValue] = []
        if try !expectOpen("data") {
            try skipWhitespace()
            while try peekOpen("value") {
                elements.append(try readValue(depth: depth + 1))
                try skipWhitespace()
            }
            try expectClose("data")
        }
        try skipWhitespace()
        try expectClose("array")
        return .array(elements)
    }

    private mutating func readStruct(depth: Int) throws(XMLRPCParseError) -> RPCValue {
        if try expectOpen("struct") { return .structure([:]) }
        try skipWhitespace()
        var members = OrderedDictionary<String, RPCValue>()
        while try peekOpen("member") {
            try expectOpen("member", allowEmpty: false)
            try skipWhitespace()
            let name = try readScalar("name")
            try skipWhitespace()
            let value = try readValue(depth: depth + 1)
            try skipWhitespace()
            try expectClose("member")
            try skipWhitespace()
            members[name] = value
        }
        try expectClose("struct")
        return .structure(members)
    }

    // MARK: Lexing

    private func fail(_ reason: String) -> XMLRPCParseError { XMLRPCParseError(reason: reason, offset: position) }

    private mutating func skipWhitespace() throws(XMLRPCParseError) {
        while true {
            while position < bytes.count, bytes[position].isXMLWhitespaceByte { position += 1 }
            if startsWith("<!--") { try skipComment() } else { return }
        }
    }

    private mutating func skipComment() throws(XMLRPCParseError) {
        position += 4
        while position + 2 < bytes.count {
            if bytes[position] == UInt8(ascii: "-"), bytes[position + 1] == UInt8(ascii: "-"),
                bytes[position + 2] == UInt8(ascii: ">")
            {
                position += 3
                return
            }
            position += 1
        }
        throw fail("unterminated comment")
    }

    /// Skips the XML declaration, comments and whitespace; refuses a document type declaration.
    private mutating func skipProlog() throws(XMLRPCParseError) {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        try skipWhitespace()
        if startsWith("<?xml") {
            while position + 1 < bytes.count, !(bytes[position] == UInt8(ascii: "?") && bytes[position + 1] == UInt8(ascii: ">")) {
                position += 1
            }
            guard position + 1 < bytes.count else { throw fail("unterminated XML declaration") }
            position += 2
        }
        try skipMisc()
    }

    private mutating func skipMisc() throws(XMLRPCParseError) {
        try skipWhitespace()
        if startsWith("<!") { throw fail("document type declarations and entity definitions are not accepted") }
        if startsWith("<?") { throw fail("processing instructions are not accepted") }
    }

    private mutating func expectEnd() throws(XMLRPCParseError) {
        guard position == bytes.count else { throw fail("content after the document element") }
    }

    private func startsWith(_ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let start = prefix.utf8Start
        for index in 0..<count where bytes[position + index] != start[index] { return false }
        return true
    }

    /// The name of the tag at the current position (`/value` for a closing tag), without consuming it.
    private func peekTagName() -> String? {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "<") else { return nil }
        var end = position + 1
        while end < bytes.count, !bytes[end].isXMLWhitespaceByte, bytes[end] != UInt8(ascii: ">"),
            !(bytes[end] == UInt8(ascii: "/") && end > position + 1)
        {
            end += 1
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[(position + 1)..<end]), as: UTF8.self)
    }

    private mutating func peekOpen(_ name: String) throws(XMLRPCParseError) -> Bool {
        peekTagName() == name
    }

    /// Consumes `<name>` or `<name/>`; returns true when the element was empty (`<name/>`).
    @discardableResult
    private mutating func expectOpen(_ name: String, allowEmpty: Bool = true) throws(XMLRPCParseError) -> Bool {
        guard peekTagName() == name else {
            throw fail("expected <\(name)>, found \(peekTagName().map { "<\($0)>" } ?? "text")")
        }
        position += 1 + name.utf8.count
        while position < bytes.count, bytes[position].isXMLWhitespaceByte { position += 1 }
        if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "/"), bytes[position + 1] == UInt8(ascii: ">") {
            guard allowEmpty else { throw fail("<\(name)/> must not be empty") }
            position += 2
            return true
        }
        guard position < bytes.count, bytes[position] == UInt8(ascii: ">") else {
            throw fail("attributes are not accepted on <\(name)>")
        }
        position += 1
        return false
    }

    private mutating func expectClose(_ name: String) throws(XMLRPCParseError) {
        guard peekTagName() == "/" + name else {
            throw fail("expected </\(name)>, found \(peekTagName().map { "<\($0)>" } ?? "end of document")")
        }
        position += 2 + name.utf8.count
        while position < bytes.count, bytes[position].isXMLWhitespaceByte { position += 1 }
        guard position < bytes.count, bytes[position] == UInt8(ascii: ">") else { throw fail("malformed </\(name)>") }
        position += 1
    }

    /// Reads character data up to the next tag, decoding entities and CDATA sections.
    private mutating func readText() throws(XMLRPCParseError) -> String {
        var output: [UInt8] = []
        var runStart = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "<") {
                if startsWith("<![CDATA[") {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
                    position += 9
                    let cdataStart = position
                    while position + 2 < bytes.count,
                        !(bytes[position] == UInt8(ascii: "]") && bytes[position + 1] == UInt8(ascii: "]")
                            && bytes[position + 2] == UInt8(ascii: ">"))
                    {
                        position += 1
                    }
                    guard position + 2 < bytes.count else { throw fail("unterminated CDATA section") }
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[cdataStart..<position]))
                    position += 3
                    runStart = position
                    continue
                }
                if startsWith("<!--") {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
                    try skipComment()
                    runStart = position
                    continue
                }
                break
            }
            if byte == UInt8(ascii: "&") {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
                try readEntity(into: &output)
                runStart = position
                continue
            }
            if byte == UInt8(ascii: "\r") {
                // XML end-of-line handling: CR LF and lone CR both become LF.
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
                output.append(UInt8(ascii: "\n"))
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "\n") { position += 1 }
                runStart = position
                continue
            }
            position += 1
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
        guard let text = String(validating: output, as: UTF8.self) else {
            let lossy = String(decoding: output, as: UTF8.self)
            if invalidUTF8 == nil { invalidUTF8 = lossy }
            return lossy
        }
        return text
    }

    private mutating func readEntity(into output: inout [UInt8]) throws(XMLRPCParseError) {
        let start = position + 1
        var end = start
        while end < bytes.count, end - start < 40, bytes[end] != UInt8(ascii: ";") { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: ";") else { throw fail("unterminated entity reference") }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        switch name {
        case "lt": output.append(UInt8(ascii: "<"))
        case "gt": output.append(UInt8(ascii: ">"))
        case "amp": output.append(UInt8(ascii: "&"))
        case "quot": output.append(UInt8(ascii: "\""))
        case "apos": output.append(UInt8(ascii: "'"))
        default:
            let scalarValue: UInt32?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                let digits = name.dropFirst(2)
                scalarValue = digits.allSatisfy(\.isHexDigit) ? UInt32(digits, radix: 16) : nil
            } else if name.hasPrefix("#") {
                let digits = name.dropFirst(1)
                scalarValue = digits.allSatisfy { $0.isASCII && $0.isNumber } ? UInt32(digits, radix: 10) : nil
            } else {
                throw fail("unknown entity &\(name);")
            }
            guard let scalarValue, let scalar = Unicode.Scalar(scalarValue), scalar.isXMLCharacter else {
                throw fail("invalid character reference &\(name);")
            }
            output.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
        position = end + 1
    }
}

extension UInt8 {
    fileprivate var isXMLWhitespaceByte: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
}

extension Character {
    fileprivate var isXMLWhitespace: Bool { self == " " || self == "\t" || self == "\n" || self == "\r" || self == "\r\n" }
}

extension Unicode.Scalar {
    fileprivate var isXMLCharacter: Bool {
        let v = value
        return v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v)
            || (0x10000...0x10FFFF).contains(v)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isXMLWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isXMLWhitespace { slice.removeLast() }
        return String(slice)
    }
}
