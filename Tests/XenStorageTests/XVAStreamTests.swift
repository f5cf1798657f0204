import Testing
@testable import XenStorage

@Suite("XVA streams: XXH64, tar members and disk chunks")
struct XVAStreamTests {
    @Test("XXH64 matches the published test vectors (formats.md §3.3)")
    func vectors() {
        #expect(XXH64.text([UInt8]().withUnsafeBytes { XXH64.hash($0) }) == "EF46DB3751D8E999")
        #expect(XXH64.text(Array("abc".utf8).withUnsafeBytes { XXH64.hash($0) }) == "44BC2CF5AD770999")
        #expect(XXH64.text([UInt8](repeating: 0, count: 1 << 20).withUnsafeBytes { XXH64.hash($0) }) == "87D2A1B6E1163EF1")
    }

    @Test("tar headers carry the name, octal size and a checksum over the header as tar computes it")
    func header() {
        let header = TarWriter.header(name: "Ref:1/00000000", size: 1 << 20)
        #expect(header.count == 512)
        #expect(String(decoding: header[0..<14], as: UTF8.self) == "Ref:1/00000000")
        #expect(String(decoding: header[124..<135], as: UTF8.self) == "00004000000")
        var blanked = header
        blanked.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
        let sum = blanked.reduce(0) { $0 + Int($1) }
        #expect(Int(String(decoding: header[148..<154], as: UTF8.self), radix: 8) == sum)
        #expect(TarWriter.padding(after: 16).count == 496 && TarWriter.padding(after: 512).isEmpty)
    }

    @Test("a disk without data writes only its first and last chunks; a one-chunk disk one")
    func zeroDisk() async throws {
        var names: [String] = []
        let disk = XVADiskStream(chain: nil, virtualSize: 5 << 20, prefix: "Ref:7")
        try await disk.write { member in names.append(String(decoding: member[0..<20].prefix { $0 != 0 }, as: UTF8.self)) }
        #expect(names == ["Ref:7/00000000", "Ref:7/00000004"])
        var sizes: [Int] = []
        try await XVADiskStream(chain: nil, virtualSize: 4096, prefix: "Ref:1").write { sizes.append($0.count) }
        // header + 4096 bytes, then the checksum member (header + one padded block).
        #expect(sizes == [512 + 4096 + 1024])
    }
}
