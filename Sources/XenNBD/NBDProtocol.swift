import NIOCore

/// The NBD protocol's numbers (the fixed-newstyle handshake and simple replies), as the NBD
/// protocol document (`doc/proto.md` of the NBD project) gives them.
enum NBDProtocol {
    static let initialMagic: UInt64 = 0x4E42_444D_4147_4943  // "NBDMAGIC"
    static let optionMagic: UInt64 = 0x4948_4156_454F_5054  // "IHAVEOPT"
    static let optionReplyMagic: UInt64 = 0x0003_E889_0455_65A9
    static let requestMagic: UInt32 = 0x2560_9513
    static let simpleReplyMagic: UInt32 = 0x6744_6698

    /// Handshake flags: fixed newstyle, and the 124 zero bytes after an export may be left out.
    static let fixedNewstyle: UInt16 = 1 << 0
    static let noZeroes: UInt16 = 1 << 1

    enum Option: UInt32 {
        case exportName = 1
        case abort = 2
        case list = 3
        case info = 6
        case go = 7
    }

    enum Reply: UInt32 {
        case ack = 1
        case server = 2
        case info = 3
        case unsupported = 0x8000_0001
        case policy = 0x8000_0002
        case invalid = 0x8000_0003
        case unknownExport = 0x8000_0006
    }

    /// Information items of `NBD_REP_INFO`.
    static let infoExport: UInt16 = 0
    static let infoBlockSize: UInt16 = 3

    /// Transmission flags.
    static let hasFlags: UInt16 = 1 << 0
    static let readOnly: UInt16 = 1 << 1
    static let sendFlush: UInt16 = 1 << 2
    static let sendFUA: UInt16 = 1 << 3
    static let sendWriteZeroes: UInt16 = 1 << 6

    enum Command: UInt16 {
        case read = 0
        case write = 1
        case disconnect = 2
        case flush = 3
        case trim = 4
        case writeZeroes = 6
    }

    /// Command flag: write through (flush before replying).
    static let forceUnitAccess: UInt16 = 1 << 0

    /// Errors, as errno values.
    static let permissionError: UInt32 = 1
    static let ioError: UInt32 = 5
    static let invalidError: UInt32 = 22
    static let noSpaceError: UInt32 = 28

    /// The block sizes announced: 512-byte sectors, 4 KiB preferred, 32 MiB at most per request.
    static let minimumBlock: UInt32 = 512
    static let preferredBlock: UInt32 = 4096
    static let maximumPayload: UInt32 = 32 << 20

    /// A transmission request's header.
    struct Request: Equatable {
        var flags: UInt16
        var type: UInt16
        var handle: UInt64
        var offset: UInt64
        var length: UInt32

        static let headerSize = 28

        /// Reads a request header from `buffer` if it holds one whole; throws on a bad magic.
        static func read(from buffer: inout ByteBuffer) throws(NBDError) -> Request? {
            guard buffer.readableBytes >= headerSize else { return nil }
            guard buffer.readInteger(as: UInt32.self) == requestMagic else { throw .protocolViolation("bad request magic") }
            return Request(
                flags: buffer.readInteger()!, type: buffer.readInteger()!, handle: buffer.readInteger()!,
                offset: buffer.readInteger()!, length: buffer.readInteger()!)
        }
    }

    /// A simple reply's header.
    static func simpleReply(error: UInt32, handle: UInt64, allocator: ByteBufferAllocator, payload: [UInt8] = []) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 16 + payload.count)
        buffer.writeInteger(simpleReplyMagic)
        buffer.writeInteger(error)
        buffer.writeInteger(handle)
        buffer.writeBytes(payload)
        return buffer
    }

    /// An option reply.
    static func optionReply(_ option: UInt32, _ reply: Reply, _ data: ByteBuffer? = nil, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 20 + (data?.readableBytes ?? 0))
        buffer.writeInteger(optionReplyMagic)
        buffer.writeInteger(option)
        buffer.writeInteger(reply.rawValue)
        buffer.writeInteger(UInt32(data?.readableBytes ?? 0))
        if let data { buffer.writeImmutableBuffer(data) }
        return buffer
    }
}

/// Why an NBD connection was ended.
public enum NBDError: Error, Sendable, Hashable {
    /// The client did not speak the protocol.
    case protocolViolation(String)
}
