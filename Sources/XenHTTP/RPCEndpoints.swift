public import Hummingbird
import NIOCore
public import XenCore
import XenRPC

/// The XenAPI endpoints: XML-RPC on `POST /` and `POST /RPC2`, JSON-RPC v1 and v2 on
/// `POST /jsonrpc`, CORS preflight on both.
///
/// RPC-level failures are always HTTP 200 with a structured failure; a body that cannot be
/// parsed at all is HTTP 500 with an HTML explanation (as xapi does), and a body over the limit
/// is HTTP 413 before anything is read into memory.
public enum RPCEndpoints {
    /// xapi's `http_limit_max_rpc_size`: 300 KiB.
    public static let defaultBodyLimit = 300 * 1024

    /// Adds the endpoints to `router`; `origin` says whether the router serves TCP or the local socket.
    public static func register<Context: RequestContext>(
        on router: Router<Context>, toolstack: Toolstack, origin: CallOrigin = .network,
        bodyLimit: Int = defaultBodyLimit
    ) {
        let xmlHandler: @Sendable (Request, Context) async throws -> Response = { request, _ in
            try await handleXMLRPC(request, toolstack: toolstack, origin: origin, bodyLimit: bodyLimit)
        }
        router.post("/", use: xmlHandler)
        router.post("/RPC2", use: xmlHandler)
        router.post("/jsonrpc") { request, _ in
            try await handleJSONRPC(request, toolstack: toolstack, origin: origin, bodyLimit: bodyLimit)
        }
        for path in ["/", "/RPC2", "/jsonrpc"] {
            router.on(RouterPath(path), method: .options) { _, _ in
                Response(status: .ok, headers: corsHeaders)
            }
        }
    }

    static let corsHeaders: HTTPFields = [
        .accessControlAllowOrigin: "*", .accessControlAllowHeaders: "X-Requested-With",
    ]

    private static func readBody(_ request: Request, limit: Int) async throws -> ByteBuffer? {
        var request = request
        do {
            return try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return nil
        } catch is NIOTooManyBytesError {
            // What the body collector throws past the limit.
            return nil
        }
    }

    static func handleXMLRPC(_ request: Request, toolstack: Toolstack, origin: CallOrigin, bodyLimit: Int)
        async throws -> Response
    {
        guard let body = try await readBody(request, limit: bodyLimit) else { return tooLarge(bodyLimit) }
        let call: XMLRPCCall
        do {
            call = try XMLRPCDecoder.decodeCall(body.readableBytesView)
        } catch {
            return unparseable(error.description)
        }
        if let text = call.invalidUTF8 {
            return respond(XMLRPCEncoder.failure(["INVALID_VALUE", "Invalid UTF-8 string in parameter", text]), contentType: "text/xml")
        }
        let result = await toolstack.call(method: call.method, params: call.params, origin: origin)
        if case .success(let value) = result, value.isLarge {
            return streaming(contentType: "text/xml") { emit in XMLRPCEncoder.success(value, chunkSize: chunkSize, emit: emit) }
        }
        let bytes: [UInt8] =
            switch result {
            case .success(let value): XMLRPCEncoder.success(value)
            case .failure(let description): XMLRPCEncoder.failure(description)
            case .bare(let value): XMLRPCEncoder.bareResponse(value)
            }
        return respond(bytes, contentType: "text/xml")
    }

    static func handleJSONRPC(_ request: Request, toolstack: Toolstack, origin: CallOrigin, bodyLimit: Int)
        async throws -> Response
    {
        guard let body = try await readBody(request, limit: bodyLimit) else { return tooLarge(bodyLimit) }
        let call: JSONRPCRequest
        do {
            call = try JSONRPC.decodeRequest(body.readableBytesView)
        } catch {
            return unparseable(error.description)
        }
        let result = await toolstack.call(method: call.method, params: call.params, origin: origin)
        if case .success(let value) = result, value.isLarge {
            return streaming(contentType: "application/json") { emit in
                JSONRPC.success(value, version: call.version, id: call.id, chunkSize: chunkSize, emit: emit)
            }
        }
        let bytes: [UInt8] =
            switch result {
            case .success(let value), .bare(let value): JSONRPC.success(value, version: call.version, id: call.id)
            case .failure(let description): JSONRPC.failure(description, version: call.version, id: call.id)
            }
        return respond(bytes, contentType: "application/json")
    }

    /// How much a large response buffers before a chunk goes out (1 MiB measured best for a
    /// 66 MiB `VM.get_all_records`: fewer, larger writes than 64 or 256 KiB).
    public static let chunkSize = 1024 * 1024

    /// A response whose body is written while `encode` runs: the encoder hands chunks over a
    /// stream to the body writer, both as children of the response's own task.
    private static func streaming(
        contentType: String, encode: @escaping @Sendable (@escaping (UnsafeRawBufferPointer) -> Void) -> Void
    ) -> Response {
        var headers = corsHeaders
        headers[.contentType] = contentType
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let (chunks, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        encode { continuation.yield(ByteBuffer(bytes: $0)) }
                        continuation.finish()
                    }
                    for await chunk in chunks { try await writer.write(chunk) }
                    try await group.waitForAll()
                }
                try await writer.finish(nil)
            })
    }

    private static func respond(_ bytes: [UInt8], contentType: String) -> Response {
        var headers = corsHeaders
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private static func unparseable(_ reason: String) -> Response {
        htmlError(.internalServerError, title: "Internal Server Error", detail: "The request could not be parsed: \(reason)")
    }

    private static func tooLarge(_ limit: Int) -> Response {
        htmlError(
            .contentTooLarge, title: "Request Entity Too Large",
            detail: "RPC request bodies are limited to \(limit) bytes.")
    }

    private static func htmlError(_ status: HTTPResponse.Status, title: String, detail: String) -> Response {
        let escaped = detail.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        let html = "<html><body><h1>HTTP \(status.code) \(title)</h1><p>\(escaped)</p></body></html>"
        return Response(
            status: status, headers: [.contentType: "text/html"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
