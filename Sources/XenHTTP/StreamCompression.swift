import CZstd
import CompressNIO
import NIOCore
import XenAPI

/// Whole-stream compression of XVA transfers, as xapi offers it: gzip (`use_compression=true`
/// or `gzip`) and zstd (`zstd`); an import finds which from the stream's first bytes.
enum StreamCompression: Sendable {
    case gzip
    case zstd

    /// `use_compression`: `false` (or absent) for none.
    static func parse(_ text: String) throws(XenAPIError) -> StreamCompression? {
        switch text.lowercased() {
        case "", "false", "no", "0": nil
        case "true", "yes", "1", "gzip": .gzip
        case "zstd": .zstd
        default: throw XenAPIError.invalidValue(field: "use_compression", value: text)
        }
    }

    /// The compression a stream starts with, by its magic number (a tar stream has none).
    static func detect(_ first: some Collection<UInt8>) -> StreamCompression? {
        let head = Array(first.prefix(4))
        if head.starts(with: [0x1F, 0x8B]) { return .gzip }
        if head == [0x28, 0xB5, 0x2F, 0xFD] { return .zstd }
        return nil
    }

    /// A coder that compresses (`decompressing: false`) or decompresses this way.
    func coder(decompressing: Bool) throws -> any StreamCoder {
        switch self {
        case .gzip: try GzipCoder(decompressing: decompressing)
        case .zstd: try ZstdCoder(decompressing: decompressing)
        }
    }
}

/// Compresses or decompresses a stream a piece at a time. A coder belongs to one transfer, used
/// by one task at a time.
protocol StreamCoder: AnyObject, Sendable {
    /// The output `input` gives (possibly none yet).
    func code(_ input: [UInt8]) throws -> [UInt8]
    /// The rest of the output, at the end of the input.
    func finish() throws -> [UInt8]
}

/// Why a compressed stream could not be read or written.
struct StreamCompressionError: Error, CustomStringConvertible {
    var description: String
}

/// gzip through zlib (CompressNIO's streaming deflate and inflate).
final class GzipCoder: StreamCoder, @unchecked Sendable {
    private let compressor: ZlibCompressor?
    private let decompressor: ZlibDecompressor?
    private static let window = 256 * 1024

    init(decompressing: Bool) throws {
        if decompressing {
            compressor = nil
            decompressor = try ZlibDecompressor(algorithm: .gzip)
        } else {
            compressor = try ZlibCompressor(algorithm: .gzip, configuration: .init(compressionLevel: 1))
            decompressor = nil
        }
    }

    func code(_ input: [UInt8]) throws -> [UInt8] { try run(input, flush: .no) }

    func finish() throws -> [UInt8] { decompressor == nil ? try run([], flush: .finish) : [] }

    private func run(_ input: [UInt8], flush: CompressNIOFlush) throws -> [UInt8] {
        var from = ByteBuffer(bytes: input)
        var output: [UInt8] = []
        while true {
            var to = ByteBufferAllocator().buffer(capacity: Self.window)
            var full = false
            do {
                if let compressor {
                    try compressor.deflate(from: &from, to: &to, flush: flush)
                } else if let decompressor {
                    try decompressor.inflate(from: &from, to: &to)
                }
            } catch let error as CompressNIOError where error == .bufferOverflow {
                full = true
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                // The decompressor needs more input than this piece.
            } catch {
                throw StreamCompressionError(description: "gzip: \(error)")
            }
            full = full || to.writableBytes == 0
            output.append(contentsOf: to.readableBytesView)
            if !full && from.readableBytes == 0 { return output }
            if !full && to.readableBytes == 0 { return output }
        }
    }
}

/// zstd through libzstd's streaming API.
final class ZstdCoder: StreamCoder, @unchecked Sendable {
    private let compression: OpaquePointer?
    private let decompression: OpaquePointer?
    private var buffer = [UInt8](repeating: 0, count: 256 * 1024)

    init(decompressing: Bool) throws {
        if decompressing {
            compression = nil
            decompression = ZSTD_createDCtx()
            guard decompression != nil else { throw StreamCompressionError(description: "zstd: no context") }
        } else {
            compression = ZSTD_createCCtx()
            decompression = nil
            guard let compression else { throw StreamCompressionError(description: "zstd: no context") }
            ZSTD_CCtx_setParameter(compression, ZSTD_c_compressionLevel, 3)
        }
    }

    deinit {
        if let compression { ZSTD_freeCCtx(compression) }
        if let decompression { ZSTD_freeDCtx(decompression) }
    }

    func code(_ input: [UInt8]) throws -> [UInt8] { try run(input, end: false) }

    func finish() throws -> [UInt8] { compression == nil ? [] : try run([], end: true) }

    private func run(_ input: [UInt8], end: Bool) throws -> [UInt8] {
        var output: [UInt8] = []
        try input.withUnsafeBytes { source in
            var inBuffer = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
            while true {
                var produced = 0
                var remaining = 0
                try buffer.withUnsafeMutableBytes { target in
                    var outBuffer = ZSTD_outBuffer(dst: target.baseAddress, size: target.count, pos: 0)
                    let result =
                        if let compression {
                            ZSTD_compressStream2(compression, &outBuffer, &inBuffer, end ? ZSTD_e_end : ZSTD_e_continue)
                        } else {
                            ZSTD_decompressStream(decompression, &outBuffer, &inBuffer)
                        }
                    if ZSTD_isError(result) != 0 {
                        throw StreamCompressionError(description: "zstd: " + String(cString: ZSTD_getErrorName(result)))
                    }
                    produced = outBuffer.pos
                    remaining = result
                }
                output.append(contentsOf: buffer[0..<produced])
                let full = produced == buffer.count
                if end ? remaining == 0 : (inBuffer.pos == inBuffer.size && !full) { return }
            }
        }
        return output
    }
}
