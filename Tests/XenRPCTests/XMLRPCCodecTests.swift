import Collections
import PropertyBased
import Testing
import Foundation
import XenRPC

@Suite("XML-RPC codec")
struct XMLRPCCodecTests {
    @Test("random values survive encode then decode, and Foundation's XMLParser reads the same")
    func roundTripAgainstOracle() async {
        await propertyCheck(count: 400, input: Gen.uint64()) { seed in
            var random = RandomValues(seed: seed)
            let params = (0..<(1 + random.below(3))).map { _ in random.value() }
            let document = XMLRPCEncoder.call(method: "VM.get_record", params: params)
            let decoded = try? XMLRPCDecoder.decodeCall(document)
            let expected = params.map(Self.untypedForm)
            #expect(decoded?.method == "VM.get_record")
            #expect(decoded?.params == expected, "seed \(seed)")
            let oracle = FoundationXMLOracle.parseCall(document)
            #expect(oracle?.0 == "VM.get_record")
            #expect(oracle?.1 == expected, "seed \(seed)")
        }
    }

    /// What a value reads back as: 64-bit ints travel untyped, so they come back as strings;
    /// doubles are printed `%.16g`, as xapi prints them.
    static func untypedForm(_ value: RPCValue) -> RPCValue {
        switch value {
        case .double(let number): .double(Double(String(format: "%.16g", number))!)
        case .int(let number): .string(String(number))
        case .int32(let number): .int(Int64(number))
        case .string(let text): .string(text)
        case .array(let elements): .array(elements.map(untypedForm))
        case .structure(let members): .structure(members.mapValues(untypedForm))
        case .record(let record):
            .structure(OrderedDictionary(uniqueKeys: record.layout.names, values: record.values.map(untypedForm)))
        default: value
        }
    }

    @Test("xapi's envelope shapes")
    func envelopes() {
        let success = String(decoding: XMLRPCEncoder.success(.int(2_147_483_648)), as: UTF8.self)
        #expect(success.contains("<member><name>Status</name><value>Success</value></member>"))
        #expect(success.contains("<name>Value</name><value>2147483648</value>"))
        let failure = String(decoding: XMLRPCEncoder.failure(["HANDLE_INVALID", "VM", "OpaqueRef:x"]), as: UTF8.self)
        #expect(failure.contains("<name>ErrorDescription</name><value><array><data><value>HANDLE_INVALID</value><value>VM</value>"))
        #expect(!failure.contains("<fault>"))
        #expect(XMLRPCEncoder.fragment(.bool(true)) == "<value><boolean>1</boolean></value>")
        #expect(XMLRPCEncoder.fragment(.double(0.5)) == "<value><double>0.5</double></value>")
        #expect(XMLRPCEncoder.fragment(.double(1e20)) == "<value><double>1e+20</double></value>")
        #expect(XMLRPCEncoder.fragment(.string("")) == "<value></value>")
    }

    @Test("what Python's xmlrpc.client sends is accepted")
    func pythonStyleRequest() throws {
        let body = """
            <?xml version='1.0'?>
            <methodCall>
            <methodName>VM.set_memory_limits</methodName>
            <params>
            <param>
            <value><string>OpaqueRef:s</string></value>
            </param>
            <param>
            <value><int>7</int></value>
            </param>
            <param><value><i8>-9</i8></value></param>
            <param><value><boolean>1</boolean></value></param>
            <param><value><nil/></value></param>
            <param><value/></param>
            <param><value>bare &amp; &#x263A; &#65;</value></param>
            <param><value><struct><member><name>k</name><value><array><data></data></array></value></member></struct></value></param>
            </params>
            </methodCall>
            """
        let call = try XMLRPCDecoder.decodeCall(Array(body.utf8))
        #expect(call.method == "VM.set_memory_limits")
        #expect(call.params == [
            .string("OpaqueRef:s"), .int(7), .int(-9), .bool(true), .nil, .string(""), .string("bare & ☺ A"),
            .structure(["k": .array([])]),
        ])
    }

    @Test(
        "malformed and hostile documents are refused",
        arguments: [
            "<methodCall><methodName>x</methodName></methodCall>",
            "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">]><methodCall><methodName>&lol;</methodName><params/></methodCall>",
            "<methodCall><methodName>x</methodName><params><param><value>&lol;</value></param></params></methodCall>",
            "<methodCall><methodName>x</methodName><params><param><value><int>12a</int></value></param></params></methodCall>",
            "<methodCall><methodName>x</methodName><params><param><value><struct><member><name>a</name></member></struct></value></param></params></methodCall>",
            "<methodCall><methodName>x</methodName><params></params></methodCall>trailing",
            "not xml at all",
            "",
        ])
    func refusals(_ document: String) {
        #expect(throws: XMLRPCParseError.self) { try XMLRPCDecoder.decodeCall(Array(document.utf8)) }
    }

    @Test("deep nesting is refused instead of exhausting the stack")
    func depthLimit() {
        let deep = String(repeating: "<value><array><data>", count: 200) + String(repeating: "</data></array></value>", count: 200)
        let document = "<methodCall><methodName>x</methodName><params><param>\(deep)</param></params></methodCall>"
        #expect(throws: XMLRPCParseError.self) { try XMLRPCDecoder.decodeCall(Array(document.utf8)) }
    }

    @Test("responses decode, including a fault")
    func responses() throws {
        let value: RPCValue = ["Status": "Success", "Value": .array([.string("OpaqueRef:a")])]
        #expect(try XMLRPCDecoder.decodeResponse(XMLRPCEncoder.bareResponse(value)) == value)
        let fault = "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>1</int></value></member></struct></value></fault></methodResponse>"
        #expect(try XMLRPCDecoder.decodeResponse(Array(fault.utf8)) == ["faultCode": .int(1)])
    }
}

@Suite("Chunked encoding")
struct ChunkedEncodingTests {
    @Test("chunked output is byte-for-byte the whole output, in chunks near the requested size")
    func chunkedMatchesWhole() {
        var random = RandomValues(seed: 42)
        let value = RPCValue.array((0..<3000).map { _ in random.value() })
        final class Collector: @unchecked Sendable {  // only touched on this thread, synchronously
            var chunks: [[UInt8]] = []
        }
        let xml = Collector()
        XMLRPCEncoder.success(value, chunkSize: 4096) { xml.chunks.append(Array($0)) }
        #expect(xml.chunks.joined().elementsEqual(XMLRPCEncoder.success(value)))
        #expect(xml.chunks.count > 10)
        #expect(xml.chunks.dropLast().allSatisfy { $0.count >= 4096 })
        let json = Collector()
        JSONRPC.success(value, version: .v2, id: .number(7), chunkSize: 4096) { json.chunks.append(Array($0)) }
        #expect(json.chunks.joined().elementsEqual(JSONRPC.success(value, version: .v2, id: .number(7))))
    }
}

@Suite("UTF-8")
struct UTF8Tests {
    @Test("invalid UTF-8 in a parameter is reported, not fatal, as xapi does")
    func invalidUTF8() throws {
        var document = Array("<methodCall><methodName>VM.set_name_label</methodName><params><param><value>ok</value></param><param><value>bad".utf8)
        document += [0xC3, 0x28]
        document += Array("</value></param></params></methodCall>".utf8)
        let call = try XMLRPCDecoder.decodeCall(document)
        #expect(call.invalidUTF8 == "bad\u{FFFD}(")
        let valid = try XMLRPCDecoder.decodeCall(Array("<methodCall><methodName>m</methodName><params/></methodCall>".utf8))
        #expect(valid.invalidUTF8 == nil)
    }
}

@Suite("Characters XML cannot carry")
struct UnwritableCharacterTests {
    @Test("control characters and U+FFFE/U+FFFF are dropped, tab/LF/CR kept (CR as a reference)")
    func dropped() throws {
        #expect(XMLRPCEncoder.fragment(.string("a\u{FFFE}b\u{1}c\u{FFFF}\td\n")) == "<value>abc\td\n</value>")
        #expect(XMLRPCEncoder.fragment(.string("a\rb")) == "<value>a&#13;b</value>")
        #expect(try XMLRPCDecoder.decodeResponse(XMLRPCEncoder.bareResponse(.string("a\r\nb"))) == .string("a\r\nb"))
        #expect(XMLRPCEncoder.fragment(.string("€\u{FFFD}")) == "<value>€\u{FFFD}</value>")
    }
}
