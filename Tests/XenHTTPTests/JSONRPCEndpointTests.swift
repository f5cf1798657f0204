import Hummingbird
import HummingbirdTesting
import Testing
import XenRPC

/// JSON-RPC v1 and v2 on `POST /jsonrpc`. Decoded replies have their keys sorted (see
/// `JSONRPC.decode`), so expected structs below are written in key order; the order on the wire,
/// which xapi fixes (`result, error, id` and `jsonrpc, result|error, id`), is checked on the raw text.
@Suite struct JSONRPCEndpointTests {
    @Test(arguments: [RPCValue.string("abc-1"), RPCValue.int(42), RPCValue.int(0)])
    func v1LoginEchoesTheIdThenCallsWithTheSession(id: RPCValue) async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            let login = JSONRequest.v1(
                "session.login_with_password", "root", .string(EndpointHarness.password), "2.21", "endpoint-tests", id: id)
            let response = try await client.post("/jsonrpc", JSONRPC.encode(login), contentType: "application/json")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(bodyText(response).hasPrefix("{\"result\":\"OpaqueRef:"), "\(bodyText(response))")
            let reply = try JSONRPC.decode(response.body.readableBytesView)
            let session = try #require(reply["result"]?.stringValue, "\(reply)")
            #expect(session.hasPrefix("OpaqueRef:"))
            let expected: RPCValue = ["error": .nil, "id": id, "result": .string(session)]
            #expect(reply == expected)

            let pools = try await client.jsonrpc(JSONRequest.v1("pool.get_all", .string(session), id: "pools"))
            #expect(pools["error"] == RPCValue.nil, "\(pools)")
            #expect(pools["id"] == RPCValue.string("pools"))
            #expect(pools["result"]?.arrayValue?.count == 1, "\(pools)")
            #expect(pools["result"]?.arrayValue?.first?.stringValue?.hasPrefix("OpaqueRef:") == true)

            let logout = try await client.jsonrpc(JSONRequest.v1("session.logout", .string(session), id: 9))
            let loggedOut: RPCValue = ["error": .nil, "id": 9, "result": ""]
            #expect(logout == loggedOut)
        }
    }

    @Test(arguments: [RPCValue.string("id-7"), RPCValue.int(7)])
    func v2LoginEchoesTheIdThenCallsWithTheSession(id: RPCValue) async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            let login = JSONRequest.v2("session.login_with_password", "root", .string(EndpointHarness.password), id: id)
            let response = try await client.post("/jsonrpc", JSONRPC.encode(login), contentType: "application/json")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[.accessControlAllowOrigin] == "*")
            #expect(bodyText(response).hasPrefix("{\"jsonrpc\":\"2.0\",\"result\":\"OpaqueRef:"), "\(bodyText(response))")
            let reply = try JSONRPC.decode(response.body.readableBytesView)
            let session = try #require(reply["result"]?.stringValue, "\(reply)")
            // No "error" member at all in a v2 success.
            let expected: RPCValue = ["id": id, "jsonrpc": "2.0", "result": .string(session)]
            #expect(reply == expected)

            let pools = try await client.jsonrpc(JSONRequest.v2("pool.get_all", .string(session), id: 8))
            #expect(pools["error"] == nil, "\(pools)")
            #expect(pools["jsonrpc"] == RPCValue.string("2.0"))
            #expect(pools["id"] == RPCValue.int(8))
            let pool = try #require(pools["result"]?.arrayValue?.first, "\(pools)")
            #expect(pools["result"]?.arrayValue?.count == 1)

            // Ints are JSON numbers on this wire (XML-RPC would send them as strings).
            let master = try await client.jsonrpc(JSONRequest.v2("pool.get_master", .string(session), pool, id: 9))
            let host = try #require(master["result"], "\(master)")
            let major = try await client.jsonrpc(JSONRequest.v2("host.get_API_version_major", .string(session), host))
            #expect(major["result"] == RPCValue.int(2), "\(major)")
        }
    }

    @Test func v1FailureShape() async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            let response = try await client.post(
                "/jsonrpc", JSONRPC.encode(JSONRequest.v1("pool.get_all", .string(badRef), id: "v1-fail")),
                contentType: "application/json")
            #expect(response.status == .ok)
            #expect(bodyText(response).hasPrefix("{\"result\":null,\"error\":["), "\(bodyText(response))")
            let reply = try JSONRPC.decode(response.body.readableBytesView)
            let sessionInvalid: RPCValue = ["error": ["SESSION_INVALID", .string(badRef)], "id": "v1-fail", "result": .nil]
            #expect(reply == sessionInvalid)

            let unknown = try await client.jsonrpc(JSONRequest.v1("nosuch.method", id: 3))
            let unknownExpected: RPCValue = ["error": ["MESSAGE_METHOD_UNKNOWN", "nosuch.method"], "id": 3, "result": .nil]
            #expect(unknown == unknownExpected)

            let wrongPassword = try await client.jsonrpc(JSONRequest.v1("session.login_with_password", "root", "wrong", id: 5))
            let wrongPasswordExpected: RPCValue = [
                "error": ["SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"], "id": 5, "result": .nil,
            ]
            #expect(wrongPassword == wrongPasswordExpected)
        }
    }

    @Test func v2FailureShape() async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            let response = try await client.post(
                "/jsonrpc", JSONRPC.encode(JSONRequest.v2("pool.get_all", .string(badRef), id: 12)),
                contentType: "application/json")
            #expect(response.status == .ok)
            #expect(
                bodyText(response).hasPrefix("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1,\"message\":\"SESSION_INVALID\",\"data\":["),
                "\(bodyText(response))")
            let reply = try JSONRPC.decode(response.body.readableBytesView)
            let sessionInvalid: RPCValue = [
                "error": ["code": 1, "data": [.string(badRef)], "message": "SESSION_INVALID"], "id": 12, "jsonrpc": "2.0",
            ]
            #expect(reply == sessionInvalid)

            let session = try await harness.login()
            let handleInvalid = try await client.jsonrpc(
                JSONRequest.v2("VM.get_record", .string(session), .string(badRef), id: "x"))
            let handleInvalidExpected: RPCValue = [
                "error": ["code": 1, "data": ["VM", .string(badRef)], "message": "HANDLE_INVALID"], "id": "x", "jsonrpc": "2.0",
            ]
            #expect(handleInvalid == handleInvalidExpected)

            let noAsync = try await client.jsonrpc(
                JSONRequest.v2("Async.VM.get_record", .string(session), .string(badRef), id: "y"))
            let noAsyncExpected: RPCValue = [
                "error": ["code": 1, "data": ["No async mode for this operation (rpc: VM.get_record)"], "message": "Fault"],
                "id": "y", "jsonrpc": "2.0",
            ]
            #expect(noAsync == noAsyncExpected)
        }
    }

    /// v2 allows leaving `params` out (or `null`): the call then has no parameters.
    @Test func v2ParamsAbsentMeansNoParams() async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            let absent = try await client.jsonrpc(["jsonrpc": "2.0", "method": "nosuch.method", "id": 2])
            let unknown: RPCValue = [
                "error": ["code": 1, "data": ["nosuch.method"], "message": "MESSAGE_METHOD_UNKNOWN"], "id": 2, "jsonrpc": "2.0",
            ]
            #expect(absent == unknown)

            let nullParams = try await client.jsonrpc(["jsonrpc": "2.0", "method": "pool.get_all", "params": .nil, "id": 3])
            let mismatch: RPCValue = [
                "error": ["code": 1, "data": ["pool.get_all", "0", "0"], "message": "MESSAGE_PARAMETER_COUNT_MISMATCH"],
                "id": 3, "jsonrpc": "2.0",
            ]
            #expect(nullParams == mismatch)
        }
    }

    /// One session table behind both wires: a session made over JSON-RPC works over XML-RPC and
    /// a logout over XML-RPC ends it for JSON-RPC.
    @Test func sessionsAreSharedAcrossWireFormats() async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            let login = try await client.jsonrpc(
                JSONRequest.v1("session.login_with_password", "root", .string(EndpointHarness.password)))
            let session = try #require(login["result"], "\(login)")

            let overJSON = try await client.jsonrpc(JSONRequest.v2("pool.get_all", session))
            let overXML = try await client.xmlrpcValue("pool.get_all", session)
            #expect(overJSON["result"] == overXML)

            _ = try await client.xmlrpcValue("session.logout", session, path: "/RPC2")
            let after = try await client.jsonrpc(JSONRequest.v1("pool.get_all", session, id: "after"))
            let invalid: RPCValue = ["error": ["SESSION_INVALID", session], "id": "after", "result": .nil]
            #expect(after == invalid)
        }
    }
}
