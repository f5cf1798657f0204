import AsyncHTTPClient
import NIOCore
public import XenUpdates

/// A repository on a web server, read with AsyncHTTPClient: `GET <base URL>/<path>`, through
/// the pool's repository proxy when one is configured. Each sync makes one client and shuts it
/// down at the end.
public final class HTTPRepositorySource: RepositorySource {
    private let base: String
    private let client: HTTPClient
    /// The largest file accepted (metadata and packages of a repository are far smaller).
    private static let limit = 1 << 30

    public init(baseURL: String, proxy: RepositoryProxy?) {
        base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(30), read: .seconds(120))
        if let proxy {
            let authorization = proxy.username.isEmpty ? nil : HTTPClient.Authorization.basic(username: proxy.username, password: proxy.password)
            configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
        }
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func fetch(_ path: String) async throws -> [UInt8] {
        let request = HTTPClientRequest(url: base + "/" + path)
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
