import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import XenCore
import XenDB
import XenHTTP
import XenRPC
import XenSimulation

/// The XenAPI endpoints in process: a bootstrapped toolstack (seeded environment, in-memory
/// database) behind a router built the way `xapid` builds it, driven through HummingbirdTesting's
/// `.router` framework — no sockets, no real time.
struct EndpointHarness: Sendable {
    static let password = "endpoint-password"
    let seeded: SeededEnvironment
    let toolstack: Toolstack

    init(seed: UInt64 = 1) async throws {
        seeded = SeededEnvironment(seed: seed)
        let environment = seeded.environment
        let credentials = try RootCredentials.make(password: Self.password, salt: environment.randomBytes(16))
        // A failed login answers at once: the virtual clock never moves in these tests.
        let configuration = ToolstackConfiguration(hostname: "endpoints", address: "127.0.0.1", loginFailureDelay: .zero)
        let services = CoreServices(
            database: try PoolDatabase(persistence: MemoryPersistence()), environment: environment,
            configuration: configuration, credentials: CredentialStore(credentials, save: { _ in }),
            machines: try SimulatedMachines(
                count: 1, hostname: configuration.hostname, address: configuration.address, shape: .init(),
                sources: .init(sleep: environment.sleep, makeUUID: environment.makeUUID, randomBytes: environment.randomBytes)
            ).machines,
            storageRoot: FileManager.default.temporaryDirectory.appendingPathComponent("swift-xapi-tests/\(UUID().uuidString)").path)
        toolstack = try Toolstack(services: services)
        try await toolstack.startUp()
    }

    /// Runs `test` against a router serving the endpoints for calls from `origin` (`xapid` builds
    /// one router for TCP and another, `.localSocket`, for its Unix socket; both share the toolstack).
    func withClient<Value>(
        origin: CallOrigin = .network, bodyLimit: Int = RPCEndpoints.defaultBodyLimit,
        _ test: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        let router = Router()
        RPCEndpoints.register(on: router, toolstack: toolstack, origin: origin, bodyLimit: bodyLimit)
        let app = Application(router: router)
        return try await app.test(.router, test)
    }

    /// The value of a call made straight on the toolstack (to set up state without HTTP).
    func value(_ method: String, _ params: RPCValue...) async throws -> RPCValue {
        switch await toolstack.call(method: method, params: params) {
        case .success(let value), .bare(let value): return value
        case .failure(let description): throw CallFailed(errorDescription: description)
        }
    }

    /// A root session made straight on the toolstack.
    func login() async throws -> String {
        let session = try await value("session.login_with_password", "root", .string(Self.password))
        guard let ref = session.stringValue else { throw CallFailed(errorDescription: ["not a ref", "\(session)"]) }
        return ref
    }
}

/// A call made straight on the toolstack failed.
struct CallFailed: Error, CustomStringConvertible {
    var errorDescription: [String]
    var description: String { errorDescription.joined(separator: " ") }
}

/// A ref that names nothing.
let badRef = "OpaqueRef:00000000-dead-beef-0000-000000000000"

// MARK: - Requests and responses

extension TestClientProtocol {
    /// POSTs `body` to `uri`.
    func post(_ uri: String, _ body: [UInt8], contentType: String) async throws -> TestResponse {
        try await execute(uri: uri, method: .post, headers: [.contentType: contentType], body: ByteBuffer(bytes: body))
    }

    /// POSTs text to `uri`.
    func post(_ uri: String, text: String, contentType: String) async throws -> TestResponse {
        try await post(uri, Array(text.utf8), contentType: contentType)
    }

    /// One XML-RPC call on `path`, checked to be an HTTP 200 `text/xml` answer, decoded with the
    /// project's decoder: the `Status` envelope (or the bare value, for `system.listMethods`).
    func xmlrpc(
        _ method: String, _ params: RPCValue..., path: String = "/", sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> RPCValue {
        let response = try await post(path, XMLRPCEncoder.call(method: method, params: params), contentType: "text/xml")
        #expect(response.status == .ok, sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "text/xml", sourceLocation: sourceLocation)
        return try XMLRPCDecoder.decodeResponse(response.body.readableBytesView)
    }

    /// The `Value` of a call whose envelope must say `Status: Success`.
    func xmlrpcValue(
        _ method: String, _ params: RPCValue..., path: String = "/", sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> RPCValue {
        let response = try await post(path, XMLRPCEncoder.call(method: method, params: params), contentType: "text/xml")
        #expect(response.status == .ok, sourceLocation: sourceLocation)
        let envelope = try XMLRPCDecoder.decodeResponse(response.body.readableBytesView)
        #expect(envelope["Status"] == RPCValue.string("Success"), "\(envelope)", sourceLocation: sourceLocation)
        return try #require(envelope["Value"], "\(envelope)", sourceLocation: sourceLocation)
    }

    /// One JSON-RPC request on `/jsonrpc`, checked to be an HTTP 200 `application/json` answer,
    /// decoded with `JSONRPC.decode` (which sorts object keys: write expected structs in key order).
    func jsonrpc(_ request: RPCValue, sourceLocation: SourceLocation = #_sourceLocation) async throws -> RPCValue {
        let response = try await post("/jsonrpc", JSONRPC.encode(request), contentType: "application/json")
        #expect(response.status == .ok, sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "application/json", sourceLocation: sourceLocation)
        return try JSONRPC.decode(response.body.readableBytesView)
    }
}

/// JSON-RPC request bodies, written with the project's own JSON writer.
enum JSONRequest {
    /// v1: no `jsonrpc` key, params an array.
    static func v1(_ method: String, _ params: RPCValue..., id: RPCValue = 1) -> RPCValue {
        ["method": .string(method), "params": .array(params), "id": id]
    }

    /// v2: `"jsonrpc": "2.0"`.
    static func v2(_ method: String, _ params: RPCValue..., id: RPCValue = 1) -> RPCValue {
        ["jsonrpc": "2.0", "method": .string(method), "params": .array(params), "id": id]
    }
}

/// The text of a response body.
func bodyText(_ response: TestResponse) -> String {
    String(decoding: response.body.readableBytesView, as: UTF8.self)
}

/// xapi's answer to a body that cannot be parsed at all: HTTP 500 with an HTML explanation.
func expectUnparseable(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status == .internalServerError, sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "text/html", sourceLocation: sourceLocation)
    let text = bodyText(response)
    #expect(text.hasPrefix("<html>"), "\(text)", sourceLocation: sourceLocation)
    #expect(text.contains("The request could not be parsed"), "\(text)", sourceLocation: sourceLocation)
}

/// A login and a call still work on `client` (the endpoint survived whatever came before).
func expectStillServing(_ client: any TestClientProtocol, sourceLocation: SourceLocation = #_sourceLocation)
    async throws
{
    let session = try await client.xmlrpcValue(
        "session.login_with_password", "root", .string(EndpointHarness.password), sourceLocation: sourceLocation)
    let pools = try await client.xmlrpcValue("pool.get_all", session, sourceLocation: sourceLocation)
    #expect(pools.arrayValue?.count == 1, "\(pools)", sourceLocation: sourceLocation)
}
