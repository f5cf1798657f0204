import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
public import XenUpdates

/// A repository on a web server, read with AsyncHTTPClient: `GET <base URL>/<path>`, through
/// the pool's repository proxy when one is configured; a remote pool's coordinator is reached
/// with its credentials (basic authentication) and only through its own certificate. Each sync
/// makes one client and shuts it down at the end.
public final class HTTPRepositorySource: RepositorySource {
    private let base: String
    private let client: HTTPClient
    /// The largest file accepted (metadata and packages of a repository are far smaller).
    private static let limit = 1 << 30

    private let authorization: String?

    public init(_ access: RepositoryAccess) throws {
        base = access.baseURL.hasSuffix("/") ? String(access.baseURL.dropLast()) : access.baseURL
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(30), read: .seconds(120))
        if let proxy = access.proxy {
            let authorization = proxy.username.isEmpty ? nil : HTTPClient.Authorization.basic(username: proxy.username, password: proxy.password)
            configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
        }
        if let pem = access.pinnedCertificate {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)))
            // The coordinator is reached by address; its pinned certificate is what is checked.
            tls.certificateVerification = .noHostnameVerification
            configuration.tlsConfiguration = tls
        }
        authorization = access.username.isEmpty ? nil : "Basic " + Data("\(access.username):\(access.password)".utf8).base64EncodedString()
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func fetch(_ path: String) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: base + "/" + path)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let response = try await client.execute(request, timeout: .seconds(300))
        guard response.status == .ok else { throw HTTPRepositoryError(url: request.url, status: Int(response.status.code)) }
        let body = try await response.body.collect(upTo: Self.limit)
        return Array(body.readableBytesView)
    }

    /// Shuts the client down; call once the sync is over.
    public func close() async {
        try? await client.shutdown()
    }
}

/// A repository file the server did not give.
struct HTTPRepositoryError: Error, CustomStringConvertible {
    var url: String
    var status: Int
    var description: String { "HTTP \(status) for \(url)" }
}
