import AsyncHTTPClient
import NIOCore
import XenAPIClient

/// The typed client's transport on AsyncHTTPClient (keep-alive connections), for the benchmarks.
struct HTTPClientTransport: XenAPITransport {
    let client: HTTPClient
    let port: Int

    func post(path: String, contentType: String, body: [UInt8]) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 512 << 20)
        return Array(buffer.readableBytesView)
    }
}
