#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import XenCLIProtocol

/// One `POST /cli` to the server, over TCP (with TLS unless `--nossl`) or the local socket,
/// handing each line of the streamed response to `onLine` as it arrives.
struct CLIConnection {
    enum Target {
        case tcp(host: String, port: Int, tls: Bool)
        case unixSocket(String)
    }

    let target: Target

    /// Sends `body` and reads the response to its end; a server that cannot be reached is
    /// reported in xe's words.
    func send(body: [UInt8], onLine: ([UInt8]) async throws -> Void) async throws {
        do {
            try await post(body: body, onLine: onLine)
        } catch let error as IOError {
            switch target {
            case .unixSocket:
                throw ConnectionFailure("Failed to contact a running management agent.\nTry specifying a server name and port.")
            case .tcp:
                throw ConnectionFailure(
                    error.errnoCode == ECONNREFUSED
                        ? "Unable to contact server. Please check server and port settings." : "Error: \(error.description)")
            }
        } catch let error as NIOConnectionError {
            throw ConnectionFailure(
                error.dnsAAAAError != nil || error.dnsAError != nil
                    ? "Host '\(hostName)' not found." : "Unable to contact server. Please check server and port settings.")
        } catch is NIOSSLError {
            throw ConnectionFailure("Unable to contact server. Please check server and port settings.")
        }
    }

    private var hostName: String {
        if case .tcp(let host, _, _) = target { return host }
        return "localhost"
    }

    private func post(body: [UInt8], onLine: ([UInt8]) async throws -> Void) async throws {
        let (channel, hostHeader) = try await connect()
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(.head(Self.head(.POST, "/cli", host: hostHeader, body: ("text/plain; charset=utf-8", Int64(body.count)))))
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
            try await outbound.write(.end(nil))
            var pending: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let head):
                    // Not a server of this CLI protocol (xe's "Not_a_cli_server").
                    guard head.status == .ok, head.headers["Content-Type"].first == CLIMessage.contentType else {
                        throw ConnectionFailure("Failed to contact a running management agent.\nTry specifying a server name and port.")
                    }
                case .body(let buffer):
                    pending.append(contentsOf: buffer.readableBytesView)
                    while let newline = pending.firstIndex(of: 0x0A) {
                        let line = Array(pending[..<newline])
                        pending.removeSubrange(...newline)
                        try await onLine(line)
                    }
                case .end:
                    if !pending.isEmpty { try await onLine(pending) }
                    return
                }
            }
        }
    }

    /// `GET path` into the local file `file` (created or truncated), as xe does for an export.
    /// When the file cannot be written the transfer is still started and dropped at once, so the
    /// server's task ends (failed) rather than waiting for a download that never comes.
    func download(_ path: String, into file: String) async throws {
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let (channel, hostHeader) = try await connect()
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(.head(Self.head(.GET, path, host: hostHeader)))
            try await outbound.write(.end(nil))
            guard descriptor >= 0 else {
                throw ConnectionFailure("Error: cannot write \(file): \(String(cString: strerror(errno)))")
            }
            defer { close(descriptor) }
            var ok = false
            for try await part in inbound {
                switch part {
                case .head(let head): ok = head.status == .ok
                case .body(let buffer):
                    guard ok else { continue }
                    try buffer.withUnsafeReadableBytes { bytes in
                        var offset = 0
                        while offset < bytes.count {
                            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                            guard written > 0 else { throw ConnectionFailure("Error: cannot write \(file): \(String(cString: strerror(errno)))") }
                            offset += written
                        }
                    }
                case .end: return
                }
            }
        }
    }

    /// `PUT path` with the local file `file` as the body (its length given), as xe does for an
    /// import. A file that cannot be read is sent as an empty body, so the server's task ends
    /// (failed) rather than waiting for an upload that never comes.
    func upload(_ file: String, to path: String) async throws {
        let descriptor = open(file, O_RDONLY)
        var size: Int64 = 0
        if descriptor >= 0 {
            var status = stat()
            if fstat(descriptor, &status) == 0 { size = Int64(status.st_size) }
        }
        defer { if descriptor >= 0 { close(descriptor) } }
        let (channel, hostHeader) = try await connect()
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(.head(Self.head(.PUT, path, host: hostHeader, body: ("application/octet-stream", size))))
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            var sent: Int64 = 0
            while descriptor >= 0, sent < size {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
                guard count > 0 else { break }
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: buffer[0..<count]))))
                sent += Int64(count)
            }
            try await outbound.write(.end(nil))
            for try await part in inbound {
                if case .end = part { break }
            }
            guard descriptor >= 0 else {
                throw ConnectionFailure("Error: cannot read \(file): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// A request's head: one request per connection, and the body's type and length if it has one.
    private static func head(_ method: HTTPMethod, _ uri: String, host: String, body: (type: String, length: Int64)? = nil) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "User-Agent", value: "xe-cli/swift-xapi")
        if let body {
            headers.add(name: "Content-Type", value: body.type)
            headers.add(name: "Content-Length", value: String(body.length))
        }
        headers.add(name: "Connection", value: "close")
        return HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: headers)
    }

    /// A connection to the server, and the `Host` header for it.
    private func connect() async throws -> (NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>, String) {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        var hostHeader = "localhost"
        switch target {
        case .tcp(let host, let port, let tls):
            hostHeader = host
            let context = tls ? try Self.tlsContext() : nil
            channel = try await bootstrap.connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        let serverName = host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: context, serverHostname: serverName))
                    }
                    return try Self.wrap(channel)
                }
            }
        case .unixSocket(let path):
            channel = try await bootstrap.connect(unixDomainSocketPath: path) { channel in
                channel.eventLoop.makeCompletedFuture { try Self.wrap(channel) }
            }
        }
        return (channel, hostHeader)
    }

    private static func wrap(_ channel: any Channel) throws -> NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart> {
        try channel.pipeline.syncOperations.addHTTPClientHandlers()
        return try NIOAsyncChannel(wrappingChannelSynchronously: channel)
    }

    /// Like XenServer's `xe`, the client does not check the server's certificate: a pool's
    /// hosts present self-signed ones.
    private static func tlsContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return try NIOSSLContext(configuration: configuration)
    }
}

/// The server could not be reached or did not speak the CLI protocol.
struct ConnectionFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
