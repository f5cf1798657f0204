import Foundation
import Testing
@testable import XenHTTP

@Suite("whole-stream compression of XVA transfers")
struct StreamCompressionTests {
    /// Runs `input` through a coder in pieces of `piece` bytes.
    private func run(_ coder: any StreamCoder, _ input: [UInt8], piece: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        var offset = 0
        while offset < input.count {
            output += try coder.code(Array(input[offset..<min(offset + piece, input.count)]))
            offset += piece
        }
        return output + (try coder.finish())
    }

    @Test("gzip and zstd round-trip a stream given in pieces of any size", arguments: [StreamCompression.gzip, .zstd])
    func roundTrip(_ kind: StreamCompression) throws {
        var state: UInt64 = 7
        let input = (0..<3_000_000).map { index -> UInt8 in
            if index % 5000 < 2000 { return 0 }
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let packed = try run(try kind.coder(decompressing: false), input, piece: 1 << 20)
        #expect(packed.count < input.count)
        #expect(StreamCompression.detect(packed) == kind)
        for piece in [7, 4096, 1 << 20] {
            #expect(try run(try kind.coder(decompressing: true), packed, piece: piece) == input)
        }
    }

    @Test("the compressed fixtures made by gzip and zstd decompress to tar streams that start with ova.xml")
    func fixtures() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tests/wire/fixtures/xva")
        for (name, kind) in [("gzip-stream.xva", StreamCompression.gzip), ("zstd-stream.xva", .zstd)] {
            let packed = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
            #expect(StreamCompression.detect(packed) == kind)
            let plain = try run(try kind.coder(decompressing: true), packed, piece: 1000)
            #expect(String(decoding: plain.prefix(7), as: UTF8.self) == "ova.xml")
        }
    }
}
