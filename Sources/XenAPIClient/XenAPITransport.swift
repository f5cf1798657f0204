import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Carries one request body to a XenAPI server and brings back the response body. The client
/// needs nothing else from the network, so any HTTP stack can stand behind it.
public protocol XenAPITransport: Sendable {
    /// POSTs `body` to `path` (`/` for XML-RPC, `/jsonrpc` for JSON-RPC) and returns the response body.
    func post(path: String, contentType: String, body: [UInt8]) async throws -> [UInt8]
}

/// A failure below the XenAPI: the server could not be reached, or answered with an HTTP error
/// or a body that is not a XenAPI response.
public struct XenAPITransportError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// The transport on Foundation's `URLSession`, for `http://` and `https://` servers.
public struct URLSessionTransport: XenAPITransport {
    /// The server, as `http://host:port` or `https://host`.
    public let baseURL: URL
    private let session: URLSession

    public init(baseURL: URL, session: URLSession = .shared) {
        self.baseURL = baseURL
        self.session = session
    }

    public func post(path: String, contentType: String, body: [UInt8]) async throws -> [UInt8] {
        var request = URLRequest(url: baseURL.appendingPathComponent(path == "/" ? "" : path))
        request.httpMethod = "POST"
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body)
        let (data, response) = try await session.data(for: request)
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            throw XenAPITransportError("HTTP \(http.statusCode) from \(request.url?.absoluteString ?? path)")
        }
        return [UInt8](data)
    }
}
