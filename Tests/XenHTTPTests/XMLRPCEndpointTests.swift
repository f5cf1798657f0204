import Hummingbird
import HummingbirdTesting
import Testing
import XenRPC

/// XML-RPC on `POST /` and `POST /RPC2`: every answer is HTTP 200 `text/xml` with xapi's
/// `Status`/`Value`/`ErrorDescription` envelope, never an XML-RPC `<fault>`.
@Suite struct XMLRPCEndpointTests {
    @Test(arguments: ["/", "/RPC2"])
    func loginThenCallWithTheSession(path: String) async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            let envelope = try await client.xmlrpc(
                "session.login_with_password", "root", .string(EndpointHarness.password), "2.21", "endpoint-tests",
                path: path)
            #expect(envelope["Status"] == RPCValue.string("Success"), "\(envelope)")
            #expect(envelope["ErrorDescription"] == nil)
            let session = try #require(envelope["Value"]?.stringValue)
            #expect(session.hasPrefix("OpaqueRef:") && session != "OpaqueRef:NULL")

            let pools = try await client.xmlrpcValue("pool.get_all", .string(session), path: path)
            let pool = try #require(pools.arrayValue?.first?.stringValue, "\(pools)")
            #expect(pools.arrayValue?.count == 1)
            #expect(pool.hasPrefix("OpaqueRef:"))

            let record = try await client.xmlrpcValue("session.get_record", .string(session), .string(session), path: path)
            #expect(record["is_local_superuser"] == RPCValue.bool(true), "\(record)")
            #expect(record["auth_user_name"] == RPCValue.string("root"))
            let hosts = try await client.xmlrpcValue("host.get_all", .string(session), path: path)
            #expect(record["this_host"] == hosts.arrayValue?.first)
        }
    }

    @Test func loginWithTwoArguments() async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            let session = try await client.xmlrpcValue(
                "session.login_with_password", "root", .string(EndpointHarness.password), path: "/RPC2")
            #expect(session.stringValue?.hasPrefix("OpaqueRef:") == true, "\(session)")
        }
    }

    @Test func sessionFromOnePathWorksOnTheOtherAndLogoutEndsIt() async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            let session = try await client.xmlrpcValue(
                "session.login_with_password", "root", .string(EndpointHarness.password), path: "/")
            let viaRPC2 = try await client.xmlrpcValue("pool.get_all", session, path: "/RPC2")
            let viaRoot = try await client.xmlrpcValue("pool.get_all", session, path: "/")
            #expect(viaRPC2 == viaRoot)

            let loggedOut: RPCValue = ["Status": "Success", "Value": ""]
            let logout = try await client.xmlrpc("session.logout", session, path: "/RPC2")
            #expect(logout == loggedOut)
            let invalid: RPCValue = ["Status": "Failure", "ErrorDescription": ["SESSION_INVALID", session]]
            let afterLogout = try await client.xmlrpc("pool.get_all", session, path: "/")
            #expect(afterLogout == invalid)
        }
    }

    @Test func failureEnvelopes() async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            let sessionInvalid: RPCValue = ["Status": "Failure", "ErrorDescription": ["SESSION_INVALID", .string(badRef)]]
            let withBadSession = try await client.xmlrpc("pool.get_all", .string(badRef))
            #expect(withBadSession == sessionInvalid)

            let unknown: RPCValue = ["Status": "Failure", "ErrorDescription": ["MESSAGE_METHOD_UNKNOWN", "nosuch.method"]]
            let unknownReply = try await client.xmlrpc("nosuch.method", path: "/RPC2")
            #expect(unknownReply == unknown)

            // The parameter count is checked before the session.
            let mismatch: RPCValue = [
                "Status": "Failure",
                "ErrorDescription": ["MESSAGE_PARAMETER_COUNT_MISMATCH", "network.get_record", "1", "0"],
            ]
            let mismatchReply = try await client.xmlrpc("network.get_record", .string(badRef))
            #expect(mismatchReply == mismatch)

            let wrongPassword: RPCValue = [
                "Status": "Failure", "ErrorDescription": ["SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"],
            ]
            let wrongPasswordReply = try await client.xmlrpc("session.login_with_password", "root", "wrong")
            #expect(wrongPasswordReply == wrongPassword)

            let session = try await client.xmlrpcValue(
                "session.login_with_password", "root", .string(EndpointHarness.password))
            let handleInvalid: RPCValue = [
                "Status": "Failure", "ErrorDescription": ["HANDLE_INVALID", "network", .string(badRef)],
            ]
            let handleInvalidReply = try await client.xmlrpc("network.get_record", session, .string(badRef))
            #expect(handleInvalidReply == handleInvalid)
        }
    }

    @Test func listMethodsIsABareValueWithoutTheEnvelope() async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            let methods = try await client.xmlrpc("system.listMethods")
            let names = try #require(methods.arrayValue, "\(methods)")
            #expect(names.contains(RPCValue.string("session.login_with_password")))
            #expect(names.contains(RPCValue.string("pool.get_all")))
        }
    }

    @Test func responseHeaders() async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            for path in ["/", "/RPC2"] {
                let response = try await client.post(
                    path, XMLRPCEncoder.call(method: "pool.get_all", params: [.string(badRef)]), contentType: "text/xml")
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/xml")
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                #expect(!bodyText(response).contains("<fault>"))
            }
        }
    }

    @Test(arguments: ["/", "/RPC2", "/jsonrpc"])
    func corsPreflight(path: String) async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            let response: TestResponse = try await client.execute(uri: path, method: .options)
            #expect(response.status == .ok)
            #expect(response.headers[.accessControlAllowOrigin] == "*")
            #expect(response.headers[.accessControlAllowHeaders] == "X-Requested-With")
        }
    }

    /// The endpoint is chosen by path; the Content-Type the client sends does not matter (xapi
    /// ignores it too, and some clients send none).
    @Test func contentTypeOfTheRequestIsIgnored() async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            let call = XMLRPCEncoder.call(method: "session.login_with_password", params: ["root", .string(EndpointHarness.password)])
            for contentType in ["application/json", "application/octet-stream", "text/plain"] {
                let response = try await client.post("/", call, contentType: contentType)
                #expect(response.status == .ok)
                let envelope = try XMLRPCDecoder.decodeResponse(response.body.readableBytesView)
                #expect(envelope["Status"] == RPCValue.string("Success"), "\(envelope)")
            }
        }
    }

    @Test func invalidUTF8InAParameterIsInvalidValue() async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient { client in
            // "root" followed by a truncated two-byte sequence (0xC3 then "(").
            var body = Array(
                "<?xml version='1.0'?><methodCall><methodName>session.login_with_password</methodName><params><param><value><string>root"
                    .utf8)
            body += [0xC3, 0x28]
            body += Array("</string></value></param><param><value>x</value></param></params></methodCall>".utf8)
            let response = try await client.post("/RPC2", body, contentType: "text/xml")
            #expect(response.status == .ok)
            let envelope = try XMLRPCDecoder.decodeResponse(response.body.readableBytesView)
            let expected: RPCValue = [
                "Status": "Failure",
                "ErrorDescription": ["INVALID_VALUE", "Invalid UTF-8 string in parameter", "root\u{FFFD}("],
            ]
            #expect(envelope == expected)
        }
    }
}
