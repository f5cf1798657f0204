import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOPosix

/// A connection to a Unix socket that carries one JSON document per line (QMP and the guest
/// agent): each line read is handed to `receive` on the event loop, in order; `closed` is called
/// once when the connection ends.
final class JSONLineConnection: Sendable {
    private let channel: any Channel

    private init(channel: any Channel) { self.channel = channel }

    /// Connects to the socket at `path`.
    static func connect(
        path: String, receive: @escaping @Sendable ([UInt8]) -> Void, closed: @escaping @Sendable () -> Void
    ) async throws(QMPError) -> JSONLineConnection {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder()))
                        try channel.pipeline.syncOperations.addHandler(LineReceiver(receive: receive, closed: closed))
                    }
                }
                .connect(unixDomainSocketPath: path).get()
            return JSONLineConnection(channel: channel)
        } catch {
            throw .connectionFailed(path: path, reason: "\(error)")
        }
    }

    /// Writes `bytes` as they are (a line, or the agent's 0xFF resynchronisation byte); `failed`
    /// is called if the write does not reach the socket.
    func write(_ bytes: [UInt8], failed: @escaping @Sendable () -> Void) {
        let buffer = channel.allocator.buffer(bytes: bytes)
        channel.writeAndFlush(buffer).whenFailure { _ in failed() }
    }

    /// Closes the connection.
    func close() {
        channel.close(promise: nil)
    }
}

/// Hands each framed line on, and says when the connection ends.
private final class LineReceiver: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let receive: @Sendable ([UInt8]) -> Void
    private let closed: @Sendable () -> Void

    init(receive: @escaping @Sendable ([UInt8]) -> Void, closed: @escaping @Sendable () -> Void) {
        self.receive = receive
        self.closed = closed
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var line = unwrapInboundIn(data)
        receive(line.readBytes(length: line.readableBytes) ?? [])
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
