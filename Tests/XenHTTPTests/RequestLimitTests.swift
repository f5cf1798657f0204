import Hummingbird
import HummingbirdTesting
import Testing
import XenHTTP
import XenRPC

/// xapi's `http_limit_max_rpc_size`: a body of up to 300 KiB is served, one byte more is HTTP 413.
@Suite struct RequestLimitTests {
    /// A `pool.get_all` call of exactly `size` bytes whose session ref is padded to fit.
    static func paddedXMLCall(size: Int) -> (body: [UInt8], ref: String) {
        let prefix = "<methodCall><methodName>pool.get_all</methodName><params><param><value>"
        let suffix = "</value></param></params></methodCall>"
        let ref = "OpaqueRef:" + String(repeating: "a", count: size - prefix.utf8.count - suffix.utf8.count - 10)
        return (Array((prefix + ref + suffix).utf8), ref)
    }

    /// A JSON-RPC v2 `pool.get_all` call of exactly `size` bytes.
    static func paddedJSONCall(size: Int) -> (body: [UInt8], ref: String) {
        let prefix = "{\"jsonrpc\":\"2.0\",\"method\":\"pool.get_all\",\"params\":[\""
        let suffix = "\"],\"id\":1}"
        let ref = "OpaqueRef:" + String(repeating: "b", count: size - prefix.utf8.count - suffix.utf8.count - 10)
        return (Array((prefix + ref + suffix).utf8), ref)
    }

    @Test func theDefaultIs300KiB() {
        #expect(RPCEndpoints.defaultBodyLimit == 307_200)
    }

    @Test(arguments: ["/", "/RPC2"])
    func xmlBodyOfExactlyTheLimitIsServed(path: String) async throws {
        let harness = try await EndpointHarness()
        let (body, ref) = Self.paddedXMLCall(size: RPCEndpoints.defaultBodyLimit)
        #expect(body.count == 307_200)
        try await harness.withClient { client in
            let response = try await client.post(path, body, contentType: "text/xml")
            #expect(response.status == .ok)
            let envelope = try XMLRPCDecoder.decodeResponse(response.body.readableBytesView)
            let expected: RPCValue = ["Status": "Failure", "ErrorDescription": ["SESSION_INVALID", .string(ref)]]
            #expect(envelope == expected)
        }
    }

    @Test func jsonBodyOfExactlyTheLimitIsServed() async throws {
        let harness = try await EndpointHarness()
        let (body, ref) = Self.paddedJSONCall(size: RPCEndpoints.defaultBodyLimit)
        #expect(body.count == 307_200)
        try await harness.withClient { client in
            let response = try await client.post("/jsonrpc", body, contentType: "application/json")
            #expect(response.status == .ok)
            let reply = try JSONRPC.decode(response.body.readableBytesView)
            let expected: RPCValue = [
                "error": ["code": 1, "data": [.string(ref)], "message": "SESSION_INVALID"], "id": 1, "jsonrpc": "2.0",
            ]
            #expect(reply == expected)
        }
    }

    @Test(arguments: ["/", "/RPC2"])
    func xmlBodyOneByteOverTheLimitIs413(path: String) async throws {
        let harness = try await EndpointHarness()
        let (body, _) = Self.paddedXMLCall(size: RPCEndpoints.defaultBodyLimit + 1)
        try await harness.withClient { client in
            let response = try await client.post(path, body, contentType: "text/xml")
            #expect(response.status == .contentTooLarge)
            try await expectStillServing(client)
        }
    }

    @Test func jsonBodyOverTheLimitIs413() async throws {
        let harness = try await EndpointHarness()
        let (atLimitPlusOne, _) = Self.paddedJSONCall(size: RPCEndpoints.defaultBodyLimit + 1)
        let (huge, _) = Self.paddedJSONCall(size: 400_000)
        try await harness.withClient { client in
            for body in [atLimitPlusOne, huge] {
                let response = try await client.post("/jsonrpc", body, contentType: "application/json")
                #expect(response.status == .contentTooLarge)
            }
            try await expectStillServing(client)
        }
    }

    /// The limit is a parameter of `register(on:toolstack:origin:bodyLimit:)`.
    @Test func aSmallerLimitIsHonoured() async throws {
        let harness = try await EndpointHarness()
        let (fits, ref) = Self.paddedXMLCall(size: 1024)
        let (tooBig, _) = Self.paddedXMLCall(size: 1025)
        try await harness.withClient(bodyLimit: 1024) { client in
            let served = try await client.post("/RPC2", fits, contentType: "text/xml")
            #expect(served.status == .ok)
            let envelope = try XMLRPCDecoder.decodeResponse(served.body.readableBytesView)
            #expect(envelope["ErrorDescription"] == RPCValue.array(["SESSION_INVALID", .string(ref)]))

            let refused = try await client.post("/RPC2", tooBig, contentType: "text/xml")
            #expect(refused.status == .contentTooLarge)
            let refusedJSON = try await client.post(
                "/jsonrpc", Self.paddedJSONCall(size: 1025).body, contentType: "application/json")
            #expect(refusedJSON.status == .contentTooLarge)
        }
    }

    /// An oversize body gets 413 with an HTML page, like the 500 for unparseable bodies (the body
    /// collector's `NIOTooManyBytesError` is caught, not left to the router's bare 413).
    @Test func theOversizeAnswerIsTheHTMLPage() async throws {
        let harness = try await EndpointHarness()
        let (body, _) = Self.paddedXMLCall(size: 2048)
        try await harness.withClient(bodyLimit: 1024) { client in
            let response = try await client.post("/", body, contentType: "text/xml")
            #expect(response.status == .contentTooLarge)
            #expect(response.headers[.contentType] == "text/html")
            #expect(
                bodyText(response)
                    == "<html><body><h1>HTTP 413 Request Entity Too Large</h1>"
                    + "<p>RPC request bodies are limited to 1024 bytes.</p></body></html>")
        }
    }
}
