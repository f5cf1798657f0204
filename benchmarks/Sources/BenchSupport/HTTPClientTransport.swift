public import AsyncHTTPClient
import NIOCore
import Synchronization
public import XenAPIClient

/// The typed client's transport on AsyncHTTPClient (keep-alive connections), for the benchmarks.
public struct HTTPClientTransport: XenAPITransport {
    public let client: HTTPClient
    public let port: Int

    public init(client: HTTPClient, port: Int) {
        self.client = client
        self.port = port
    }

    public func post(path: String, contentType: String, body: [UInt8]) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 512 << 20)
        return Array(buffer.readableBytesView)
    }
}

/// A transport that notes when the last response's bytes arrived, so a latency can be measured
/// up to the arrival rather than including the client's decoding of the reply.
public final class ArrivalTimingTransport: XenAPITransport {
    public let inner: HTTPClientTransport
    private let arrival = Mutex<ContinuousClock.Instant?>(nil)

    public init(_ inner: HTTPClientTransport) { self.inner = inner }

    public func post(path: String, contentType: String, body: [UInt8]) async throws -> [UInt8] {
        let response = try await inner.post(path: path, contentType: contentType, body: body)
        arrival.withLock { $0 = ContinuousClock.now }
        return response
    }

    /// When the last response arrived.
    public var lastArrival: ContinuousClock.Instant? { arrival.withLock { $0 } }
}
