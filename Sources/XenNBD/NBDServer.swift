import NIOCore
import NIOPosix
import Synchronization

/// An NBD server on a Unix socket serving one export, as tapdisk serves each open VDI to
/// XenServer's QEMU: the fixed-newstyle handshake (`NBD_OPT_GO`, `NBD_OPT_INFO`,
/// `NBD_OPT_EXPORT_NAME`, `NBD_OPT_LIST`), then reads, writes, write-zeroes and flushes with
/// simple replies (structured replies are declined, which every client accepts). Disk I/O runs
/// on NIO's thread pool, one request of a connection after another.
public final class NBDServer: Sendable {
    private let listener: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let connections = Mutex<[ObjectIdentifier: any Channel]>([:])
    private let closed = Atomic<Bool>(false)
    /// The socket's path.
    public let path: String
    /// The name clients ask for (an empty name means this one too).
    public let exportName: String
    /// What requests go to: closed and reopened around a change of the disk underneath.
    public let gate: NBDExportGate
    /// Whether the gate is this server's alone (ended when the server closes).
    private let ownsGate: Bool

    private init(
        listener: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>, path: String, exportName: String,
        gate: NBDExportGate, ownsGate: Bool
    ) {
        self.listener = listener
        self.path = path
        self.exportName = exportName
        self.gate = gate
        self.ownsGate = ownsGate
    }

    /// Listens on `path` (replacing a stale socket file there) for `export` alone; `serve` then
    /// answers clients.
    public static func bind(path: String, exportName: String, export: any NBDExport) async throws -> NBDServer {
        try await bind(path: path, exportName: exportName, gate: NBDExportGate(export), ownsGate: true)
    }

    /// Listens on `path` for the export behind `gate`, which other servers of the same disk
    /// share (the two processes of a migration), so one pause holds all their requests.
    public static func bind(path: String, exportName: String, gate: NBDExportGate) async throws -> NBDServer {
        try await bind(path: path, exportName: exportName, gate: gate, ownsGate: false)
    }

    private static func bind(path: String, exportName: String, gate: NBDExportGate, ownsGate: Bool) async throws -> NBDServer {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return NBDServer(listener: listener, path: path, exportName: exportName, gate: gate, ownsGate: ownsGate)
    }

    /// Answers clients, each connection on its own, until `close`.
    public func serve() async {
        try? await listener.executeThenClose { inbound in
            await withDiscardingTaskGroup { group in
                do {
                    for try await connection in inbound {
                        group.addTask { await self.session(connection) }
                    }
                } catch {}
            }
        }
    }

    /// Stops listening and ends every connection (a request waiting at a shared gate gives up
    /// once the gate opens or ends).
    public func close() {
        closed.store(true, ordering: .releasing)
        if ownsGate { gate.end() }
        listener.channel.close(promise: nil)
        for channel in connections.withLock({ Array($0.values) }) { channel.close(promise: nil) }
    }

    private func session(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let key = ObjectIdentifier(connection.channel)
        connections.withLock { $0[key] = connection.channel }
        defer { connections.withLock { $0[key] = nil } }
        if closed.load(ordering: .acquiring) {
            connection.channel.close(promise: nil)
            return
        }
        try? await connection.executeThenClose { inbound, outbound in
            var session = NBDSession(export: gate.export, exportName: exportName, allocator: connection.channel.allocator)
            try await outbound.write(session.greeting())
            var buffer = connection.channel.allocator.buffer(capacity: 0)
            for try await chunk in inbound {
                buffer.writeImmutableBuffer(chunk)
                while let step = try session.next(from: &buffer) {
                    switch step {
                    case .send(let reply): try await outbound.write(reply)
                    case .perform(let request, let payload):
                        guard let export = await gate.enter() else { return }
                        if closed.load(ordering: .acquiring) {
                            gate.leave()
                            return
                        }
                        let reply = await session.perform(request, payload: payload, on: export)
                        gate.leave()
                        try await outbound.write(reply)
                    case .end: return
                    }
                }
                buffer.discardReadBytes()
            }
        }
    }
}

/// One client's conversation: what its bytes ask for, and the replies.
struct NBDSession {
    enum Phase {
        case clientFlags
        case options
        case transmission
    }

    /// What to do next.
    enum Step {
        case send(ByteBuffer)
        /// A transmission request (with a write's payload) to carry out.
        case perform(NBDProtocol.Request, [UInt8])
        case end
    }

    /// The export as the session began (its size and whether it is read-only, for the handshake).
    let export: any NBDExport
    let exportName: String
    let allocator: ByteBufferAllocator
    private(set) var phase = Phase.clientFlags
    private var noZeroes = false

    init(export: any NBDExport, exportName: String, allocator: ByteBufferAllocator) {
        self.export = export
        self.exportName = exportName
        self.allocator = allocator
    }

    func greeting() -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 18)
        buffer.writeInteger(NBDProtocol.initialMagic)
        buffer.writeInteger(NBDProtocol.optionMagic)
        buffer.writeInteger(NBDProtocol.fixedNewstyle | NBDProtocol.noZeroes)
        return buffer
    }

    private var transmissionFlags: UInt16 {
        NBDProtocol.hasFlags | NBDProtocol.sendFlush | NBDProtocol.sendFUA | NBDProtocol.sendWriteZeroes
            | (export.readOnly ? NBDProtocol.readOnly : 0)
    }

    /// The next step the buffered bytes make whole, or `nil` until more arrive.
    mutating func next(from buffer: inout ByteBuffer) throws(NBDError) -> Step? {
        switch phase {
        case .clientFlags:
            guard let flags = buffer.readInteger(as: UInt32.self) else { return nil }
            guard flags & UInt32(NBDProtocol.fixedNewstyle) != 0 else { throw .protocolViolation("not a fixed-newstyle client") }
            noZeroes = flags & UInt32(NBDProtocol.noZeroes) != 0
            phase = .options
            return try next(from: &buffer)
        case .options:
            guard buffer.readableBytes >= 16, let length = buffer.getInteger(at: buffer.readerIndex + 12, as: UInt32.self) else { return nil }
            guard length <= 65_536 else { throw .protocolViolation("an option of \(length) bytes") }
            guard buffer.readableBytes >= 16 + Int(length) else { return nil }
            guard buffer.readInteger(as: UInt64.self) == NBDProtocol.optionMagic else { throw .protocolViolation("bad option magic") }
            let option = buffer.readInteger(as: UInt32.self)!
            _ = buffer.readInteger(as: UInt32.self)
            let data = buffer.readSlice(length: Int(length))!
            return answer(option, data)
        case .transmission:
            guard let header = buffer.getSlice(at: buffer.readerIndex, length: min(buffer.readableBytes, NBDProtocol.Request.headerSize))
            else { return nil }
            var peek = header
            guard let request = try NBDProtocol.Request.read(from: &peek) else { return nil }
            let payloadLength = request.type == NBDProtocol.Command.write.rawValue ? Int(request.length) : 0
            if payloadLength > Int(NBDProtocol.maximumPayload) { throw .protocolViolation("a write of \(payloadLength) bytes") }
            guard buffer.readableBytes >= NBDProtocol.Request.headerSize + payloadLength else { return nil }
            buffer.moveReaderIndex(forwardBy: NBDProtocol.Request.headerSize)
            let payload = buffer.readBytes(length: payloadLength) ?? []
            if request.type == NBDProtocol.Command.disconnect.rawValue { return .end }
            return .perform(request, payload)
        }
    }

    /// The reply to one option; `go` and `export_name` start transmission.
    private mutating func answer(_ option: UInt32, _ data: ByteBuffer) -> Step {
        var data = data
        switch NBDProtocol.Option(rawValue: option) {
        case .exportName?:
            let name = data.readString(length: data.readableBytes) ?? ""
            guard name.isEmpty || name == exportName else { return .end }
            phase = .transmission
            var reply = allocator.buffer(capacity: 134)
            reply.writeInteger(UInt64(export.size))
            reply.writeInteger(transmissionFlags)
            if !noZeroes { reply.writeRepeatingByte(0, count: 124) }
            return .send(reply)
        case .abort?:
            return .send(NBDProtocol.optionReply(option, .ack, allocator: allocator))
        case .list?:
            var entry = allocator.buffer(capacity: 4 + exportName.utf8.count)
            entry.writeInteger(UInt32(exportName.utf8.count))
            entry.writeString(exportName)
            var reply = NBDProtocol.optionReply(option, .server, entry, allocator: allocator)
            var ack = NBDProtocol.optionReply(option, .ack, allocator: allocator)
            reply.writeBuffer(&ack)
            return .send(reply)
        case .info?, .go?:
            guard let nameLength = data.readInteger(as: UInt32.self), Int(nameLength) <= data.readableBytes,
                let name = data.readString(length: Int(nameLength))
            else { return .send(NBDProtocol.optionReply(option, .invalid, allocator: allocator)) }
            guard name.isEmpty || name == exportName else {
                return .send(NBDProtocol.optionReply(option, .unknownExport, allocator: allocator))
            }
            var exportInfo = allocator.buffer(capacity: 12)
            exportInfo.writeInteger(NBDProtocol.infoExport)
            exportInfo.writeInteger(UInt64(export.size))
            exportInfo.writeInteger(transmissionFlags)
            var blockInfo = allocator.buffer(capacity: 14)
            blockInfo.writeInteger(NBDProtocol.infoBlockSize)
            blockInfo.writeInteger(NBDProtocol.minimumBlock)
            blockInfo.writeInteger(NBDProtocol.preferredBlock)
            blockInfo.writeInteger(NBDProtocol.maximumPayload)
            var reply = NBDProtocol.optionReply(option, .info, exportInfo, allocator: allocator)
            var block = NBDProtocol.optionReply(option, .info, blockInfo, allocator: allocator)
            var ack = NBDProtocol.optionReply(option, .ack, allocator: allocator)
            reply.writeBuffer(&block)
            reply.writeBuffer(&ack)
            if NBDProtocol.Option(rawValue: option) == .go { phase = .transmission }
            return .send(reply)
        case nil:
            return .send(NBDProtocol.optionReply(option, .unsupported, allocator: allocator))
        }
    }

    /// Carries out a request on `export` on the thread pool and returns its reply.
    func perform(_ request: NBDProtocol.Request, payload: [UInt8], on export: any NBDExport) async -> ByteBuffer {
        let (offset, length) = (Int64(clamping: request.offset), Int(request.length))
        guard request.offset <= UInt64(Int64.max), offset + Int64(length) <= export.size else {
            let error = request.type == NBDProtocol.Command.write.rawValue ? NBDProtocol.noSpaceError : NBDProtocol.invalidError
            return NBDProtocol.simpleReply(error: error, handle: request.handle, allocator: allocator)
        }
        let writes = [NBDProtocol.Command.write.rawValue, NBDProtocol.Command.writeZeroes.rawValue].contains(request.type)
        if writes, export.readOnly {
            return NBDProtocol.simpleReply(error: NBDProtocol.permissionError, handle: request.handle, allocator: allocator)
        }
        let fua = request.flags & NBDProtocol.forceUnitAccess != 0
        let outcome: Result<[UInt8], any Error>
        do {
            let data = try await NIOThreadPool.singleton.runIfActive { () throws -> [UInt8]? in
                switch NBDProtocol.Command(rawValue: request.type) {
                case .read?:
                    return try export.read(at: offset, count: length)
                case .write?:
                    try export.write(at: offset, payload)
                case .writeZeroes?:
                    var done = 0
                    while done < length {
                        let part = min(length - done, Int(NBDProtocol.maximumPayload))
                        try export.write(at: offset + Int64(done), [UInt8](repeating: 0, count: part))
                        done += part
                    }
                case .flush?:
                    try export.flush()
                case .trim?, .disconnect?, nil:
                    return nil
                }
                if fua { try export.flush() }
                return []
            }
            outcome = data.map { .success($0) } ?? .failure(NBDError.protocolViolation("unsupported command"))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let data):
            return NBDProtocol.simpleReply(error: 0, handle: request.handle, allocator: allocator, payload: data)
        case .failure(NBDError.protocolViolation):
            return NBDProtocol.simpleReply(error: NBDProtocol.invalidError, handle: request.handle, allocator: allocator)
        case .failure:
            return NBDProtocol.simpleReply(error: NBDProtocol.ioError, handle: request.handle, allocator: allocator)
        }
    }
}
