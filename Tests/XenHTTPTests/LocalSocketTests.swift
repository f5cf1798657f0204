import Hummingbird
import HummingbirdTesting
import Testing
import XenCore
import XenRPC

/// The local socket's pre-authentication. `xapid --unix-socket` serves a second router, built with
/// `RPCEndpoints.register(on:toolstack:origin: .localSocket)`, on the same toolstack; calls through
/// it log in as the local superuser whatever the credentials. Here that router is driven in process;
/// binding the real socket (and its mode 0600) is left to the wire tests
/// (`test_local_socket_is_pre_authenticated`, `test_xenserver_facts_over_the_local_socket`).
@Suite struct LocalSocketTests {
    static let credentials: [(String, String)] = [
        ("", ""), ("root", "wrong"), ("nobody", "anything"), ("root", EndpointHarness.password),
    ]

    @Test(arguments: credentials)
    func anyCredentialsLogInOverXMLRPC(user: String, password: String) async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient(origin: .localSocket) { local in
            let session = try await local.xmlrpcValue("session.login_with_password", .string(user), .string(password))
            let ref = try #require(session.stringValue, "\(session)")
            #expect(ref.hasPrefix("OpaqueRef:"))
            let record = try await local.xmlrpcValue("session.get_record", session, session)
            #expect(record["is_local_superuser"] == RPCValue.bool(true), "\(record)")
            // Whoever asked, the session is root's.
            #expect(record["auth_user_name"] == RPCValue.string("root"))
            let pools = try await local.xmlrpcValue("pool.get_all", session, path: "/RPC2")
            #expect(pools.arrayValue?.count == 1, "\(pools)")
        }
    }

    @Test func anyCredentialsLogInOverJSONRPC() async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient(origin: .localSocket) { local in
            for request in [
                JSONRequest.v1("session.login_with_password", "", "", id: 1),
                JSONRequest.v2("session.login_with_password", "root", "wrong", id: 2),
            ] {
                let reply = try await local.jsonrpc(request)
                let session = try #require(reply["result"], "\(reply)")
                #expect(reply["error"] == nil || reply["error"] == RPCValue.nil, "\(reply)")
                let pools = try await local.jsonrpc(JSONRequest.v2("pool.get_all", session))
                #expect(pools["result"]?.arrayValue?.count == 1, "\(pools)")
            }
        }
    }

    /// The same wrong password over TCP is refused; the session the local socket hands out is
    /// valid over TCP too (one toolstack, one session table), and logging out ends it everywhere.
    @Test func onlyTheLocalRouterIsPreAuthenticated() async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient(origin: .localSocket) { local in
            try await harness.withClient(origin: .network) { network in
                let refused = try await network.xmlrpc("session.login_with_password", "root", "wrong")
                let expected: RPCValue = [
                    "Status": "Failure",
                    "ErrorDescription": ["SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"],
                ]
                #expect(refused == expected)
                let refusedJSON = try await network.jsonrpc(JSONRequest.v1("session.login_with_password", "", "", id: 4))
                let expectedJSON: RPCValue = [
                    "error": ["SESSION_AUTHENTICATION_FAILED", "", "Authentication failure"], "id": 4, "result": .nil,
                ]
                #expect(refusedJSON == expectedJSON)

                let session = try await local.xmlrpcValue("session.login_with_password", "root", "wrong")
                let pools = try await network.xmlrpcValue("pool.get_all", session)
                #expect(pools.arrayValue?.count == 1, "\(pools)")

                _ = try await network.xmlrpcValue("session.logout", session)
                let afterLogout = try await local.xmlrpc("pool.get_all", session)
                let invalid: RPCValue = ["Status": "Failure", "ErrorDescription": ["SESSION_INVALID", session]]
                #expect(afterLogout == invalid)
            }
        }
    }

    /// Pre-authentication covers logging in, not the session check: other calls over the local
    /// socket still need a valid session.
    @Test func callsOverTheLocalSocketStillNeedASession() async throws {
        let harness = try await EndpointHarness()
        try await harness.withClient(origin: .localSocket) { local in
            let reply = try await local.xmlrpc("pool.get_all", .string(badRef))
            let expected: RPCValue = ["Status": "Failure", "ErrorDescription": ["SESSION_INVALID", .string(badRef)]]
            #expect(reply == expected)
        }
    }
}
