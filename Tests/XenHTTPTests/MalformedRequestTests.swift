import Hummingbird
import HummingbirdTesting
import Testing
import XenRPC

/// Bodies that cannot be read as a call get xapi's answer — HTTP 500 with an HTML page — and the
/// endpoint goes on serving; calls that parse but carry bad values get a structured failure.
@Suite struct MalformedRequestTests {
    static let badXML: [String] = [
        "<methodCall><methodName>pool.get_all",  // truncated
        "this is not xml",
        "",
        "<methodCall><methodName>pool.get_all</methodName></methodCall>",  // <params> is mandatory
        "<methodCall><methodName>pool.get_all</methodName><params><param><value><struct>"
            + "<member><name>a</name></member></struct></value></param></params></methodCall>",  // member without value
        "<methodCall><methodName>&nosuchentity;</methodName><params/></methodCall>",
        // A document type declaration is refused outright, even a harmless one.
        "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY n \"pool.get_all\">]>"
            + "<methodCall><methodName>&n;</methodName><params/></methodCall>",
        "{\"method\": \"pool.get_all\", \"params\": [], \"id\": 1}",  // JSON sent to the XML-RPC endpoint
    ]

    @Test(arguments: badXML)
    func malformedXMLIsHTTP500OnBothPaths(body: String) async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            for path in ["/", "/RPC2"] {
                expectUnparseable(try await client.post(path, text: body, contentType: "text/xml"))
            }
            try await expectStillServing(client)
        }
    }

    @Test func billionLaughsIsRefusedWithoutExpansion() async throws {
        var entities = "<!ENTITY lol0 \"lol\">"
        for level in 1..<10 {
            entities += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">"
        }
        let body =
            "<?xml version=\"1.0\"?><!DOCTYPE lolz [" + entities + "]>"
            + "<methodCall><methodName>session.login_with_password</methodName><params>"
            + "<param><value>&lol9;</value></param><param><value>x</value></param></params></methodCall>"
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            expectUnparseable(try await client.post("/", text: body, contentType: "text/xml"))
            try await expectStillServing(client)
        }
    }

    static let badJSON: [String] = [
        "{\"method\": \"pool.get_all\", ",  // truncated
        "not json",
        "",
        "[1, 2",
        "[1, 2]",  // JSON, but not an object
        "\"pool.get_all\"",
        "{\"method\": \"session.login_with_password\", \"params\": [\"root\", \"x\"]}",  // no id: a notification
        "{\"method\": \"session.login_with_password\", \"params\": [\"root\", \"x\"], \"id\": null}",
        "{\"jsonrpc\": \"1.0\", \"method\": \"pool.get_all\", \"params\": [], \"id\": 1}",  // only "2.0" or absent
        "{\"method\": \"pool.get_all\", \"params\": {}, \"id\": 1}",  // v1 params must be an array
        "{\"jsonrpc\": \"2.0\", \"method\": 5, \"params\": [], \"id\": 1}",  // method must be a string
        "{\"jsonrpc\": \"2.0\", \"method\": \"pool.get_all\", \"params\": [], \"id\": 1.5}",  // id: integer or string
        "{\"jsonrpc\": \"2.0\", \"method\": \"pool.get_all\", \"params\": []}",  // v2 notification
        "<?xml version=\"1.0\"?><methodCall><methodName>pool.get_all</methodName><params/></methodCall>",  // XML sent here
    ]

    @Test(arguments: badJSON)
    func malformedJSONIsHTTP500(body: String) async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            expectUnparseable(try await client.post("/jsonrpc", text: body, contentType: "application/json"))
            let login = try await client.jsonrpc(
                JSONRequest.v2("session.login_with_password", "root", .string(EndpointHarness.password)))
            #expect(login["result"]?.stringValue?.hasPrefix("OpaqueRef:") == true, "\(login)")
        }
    }

    @Test func theHTMLPageNamesTheParseErrorAndEscapesIt() async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            let response = try await client.post("/", text: "<methodCall><bogus>", contentType: "text/xml")
            expectUnparseable(response)
            let text = bodyText(response)
            let head = "<html><body><h1>HTTP 500 Internal Server Error</h1><p>The request could not be parsed: "
            let tail = "</p></body></html>"
            #expect(text.hasPrefix(head + "XML-RPC parse error at byte "), "\(text)")
            #expect(text.hasSuffix(tail), "\(text)")
            // Only the page's own markup: anything the reason quotes is escaped.
            if text.hasPrefix(head), text.hasSuffix(tail), text.count >= head.count + tail.count {
                let reason = text.dropFirst(head.count).dropLast(tail.count)
                #expect(!reason.contains("<") && !reason.contains(">"), "\(reason)")
            }
        }
    }

    /// Wrong value types are not a parse failure: they reach the dispatcher and come back as a
    /// structured `FIELD_TYPE_ERROR` on both wires.
    @Test func wrongValueTypesAreStructuredFailures() async throws {
        let harness = try await EndpointHarness()
        let session = try await harness.login()
        let network = try await harness.value(
            "network.create", .string(session),
            ["name_label": "typed", "name_description": "", "MTU": "1500", "other_config": .emptyStructure])
        try await harness.withClient { client in
            let xml = try await client.xmlrpc("network.set_name_label", .string(session), network, true)
            let xmlExpected: RPCValue = ["Status": "Failure", "ErrorDescription": ["FIELD_TYPE_ERROR", "name_label"]]
            #expect(xml == xmlExpected)

            let json = try await client.jsonrpc(
                JSONRequest.v2("network.set_name_label", .string(session), network, false, id: 5))
            let jsonExpected: RPCValue = [
                "error": ["code": 1, "data": ["name_label"], "message": "FIELD_TYPE_ERROR"], "id": 5, "jsonrpc": "2.0",
            ]
            #expect(json == jsonExpected)
        }
    }
}
