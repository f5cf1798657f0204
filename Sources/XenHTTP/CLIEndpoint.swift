public import Hummingbird
import NIOCore
import XenCLI
import XenCLIProtocol
public import XenCore

/// `POST /cli`: the `xe` client's endpoint. The body is the command line, one word per line (as
/// xapi's thin CLI sends it); the response streams the server's instructions as JSON lines
/// (`CLIMessage`) while the command runs, ending with its exit code.
public enum CLIEndpoint {
    /// The largest command line accepted.
    public static let bodyLimit = 1024 * 1024

    /// Adds the endpoint to `router`; `origin` says whether the router serves TCP or the local socket.
    public static func register<Context: RequestContext>(
        on router: Router<Context>, server: CLIServer, origin: CallOrigin = .network
    ) {
        router.post("/cli") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: bodyLimit)
            let words = String(decoding: body.readableBytesView, as: UTF8.self)
                .split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
            return Response(
                status: .ok, headers: [.contentType: CLIMessage.contentType],
                body: ResponseBody { writer in
                    let (lines, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            await server.run(words: words, origin: origin) { message in
                                continuation.yield(ByteBuffer(bytes: message.line))
                            }
                            continuation.finish()
                        }
                        for await line in lines { try await writer.write(line) }
                        try await group.waitForAll()
                    }
                    try await writer.finish(nil)
                })
        }
    }
}
