import Foundation
import Testing
import XenStorage

/// Our writer against blktap's: the same writes, with the same uuids and timestamps, must give
/// the very bytes tapdisk and vhd-util gave the fixtures.
@Suite("VHDs written as blktap writes them")
struct VHDWriterTests {
    /// The fixtures' "stamped sectors": each sector starts with its LBA (big-endian), then the fill byte.
    static func stamped(at offset: Int64, length: Int, fill: UInt8) -> [UInt8] {
        (0..<(length / 512)).flatMap { index -> [UInt8] in
            let lba = UInt64(offset / 512) + UInt64(index)
            return (0..<8).map { UInt8(truncatingIfNeeded: lba >> (56 - 8 * $0)) } + [UInt8](repeating: fill, count: 504)
        }
    }

    static func write(_ writer: VHDWriter, _ writes: [(Int64, Int, UInt8)]) throws {
        for (offset, length, fill) in writes {
            try stamped(at: offset, length: length, fill: fill).withUnsafeBytes { try writer.write(at: offset, $0) }
        }
    }

    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vhd-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("a dynamic disk with blktap's layout: base.vhd, byte for byte")
    func dynamic() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("base.vhd").path
        let writer = try VHDWriter.createDynamic(
            path: path, size: 32 << 20, uuid: "118a6b47-bb0a-4436-9bf4-46e5b1156cf5", timestamp: 0x3298_94a2)
        try Self.write(writer, [(0x0, 0x1000, 0xA1), (0x3200, 0x600, 0xA2), (0x200000, 0x200000, 0xA3), (0x1FF800, 0x1000, 0xA4)])
        // Still open: no trailing footer yet, and a reader falls back to the copy at offset 0.
        #expect(try VHDImage(path: path).primaryFooterValid == false)
        try writer.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: URL(fileURLWithPath: VHDFixtureTests.path("base.vhd"))))
    }

    @Test("a differencing disk over it, with relative locators: child.vhd, byte for byte")
    func differencing() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = folder.appendingPathComponent("base.vhd").path
        try FileManager.default.copyItem(atPath: VHDFixtureTests.path("base.vhd"), toPath: base)
        let path = folder.appendingPathComponent("child.vhd").path
        let writer = try VHDWriter.createDifferencing(
            path: path, parent: try VHDImage(path: base), uuid: "eb651f93-5957-4576-9306-cefc360d1845",
            timestamp: 0x3298_94a3, parentTimestamp: 0x3298_94a2)
        try Self.write(writer, [(0x800, 0x1000, 0xB1), (0x3000, 0x400, 0xB2), (0x1FFE00, 0x400, 0xB3), (0x300000, 0x200, 0xB4)])
        try writer.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: URL(fileURLWithPath: VHDFixtureTests.path("child.vhd"))))
        #expect(try VHDFixtureTests.digest(try VHDChain(path: path)) == "633ca3b8ddd00088dacc2e0362824e6216a6af56136c56ffdc86ab13ac15cd05")
    }

    @Test("sizes outside blktap's rules and writes outside the disk are refused; geometry follows the spec")
    func refusals() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: VHDError.self) {
            try VHDWriter.createDynamic(path: folder.appendingPathComponent("odd.vhd").path, size: 3 << 20, uuid: "", timestamp: 0)
        }
        #expect(throws: VHDError.self) {
            try VHDWriter.createDynamic(path: folder.appendingPathComponent("big.vhd").path, size: 2041 << 30, uuid: "", timestamp: 0)
        }
        let writer = try VHDWriter.createDynamic(
            path: folder.appendingPathComponent("small.vhd").path, size: 2 << 20, uuid: "8a10dc52-725d-4811-b1a3-ecdb2be55e1a", timestamp: 0)
        #expect(throws: VHDError.outOfRange(offset: 2 << 20, length: 512, size: 2 << 20)) {
            try [UInt8](repeating: 1, count: 512).withUnsafeBytes { try writer.write(at: 2 << 20, $0) }
        }
        try writer.close()
        // The spec's test vectors (formats.md §1.3).
        let image = try VHDImage(path: folder.appendingPathComponent("small.vhd").path)
        #expect(image.footer.geometry == 60 << 16 | 4 << 8 | 17)
    }
}

@Suite("VHD writes against a flat model")
struct VHDModelTests {
    /// A small deterministic generator (the test needs no entropy, only variety).
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    @Test("random writes through a base and a child read back as a byte array given the same writes", arguments: [1, 2, 3, 4])
    func randomWrites(seed: UInt64) throws {
        let folder = try VHDWriterTests.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let size = 8 << 20
        var model = [UInt8](repeating: 0, count: size)
        var generator = Generator(state: seed)
        func randomWrites(_ writer: VHDWriter, count: Int) throws {
            for _ in 0..<count {
                let sectors = 1 + generator.next(generator.next(4) == 0 ? 5000 : 40)
                let start = generator.next(size / 512 - sectors)
                let fill = UInt8(1 + generator.next(254))
                let bytes = VHDWriterTests.stamped(at: Int64(start) * 512, length: sectors * 512, fill: fill)
                try bytes.withUnsafeBytes { try writer.write(at: Int64(start) * 512, $0) }
                model.replaceSubrange((start * 512)..<((start + sectors) * 512), with: bytes)
            }
        }
        let basePath = folder.appendingPathComponent("base.vhd").path
        let base = try VHDWriter.createDynamic(path: basePath, size: Int64(size), uuid: "00000000-0000-4000-8000-00000000000\(seed)", timestamp: 1)
        try randomWrites(base, count: 25)
        try base.close()
        try expectEqual(try VHDChain(path: basePath), model)
        let childPath = folder.appendingPathComponent("child.vhd").path
        let child = try VHDWriter.createDifferencing(
            path: childPath, parent: try VHDImage(path: basePath), uuid: "00000000-0000-4000-9000-00000000000\(seed)",
            timestamp: 2, parentTimestamp: 1)
        try randomWrites(child, count: 25)
        try child.close()
        try expectEqual(try VHDChain(path: childPath), model)
    }

    private func expectEqual(_ chain: VHDChain, _ model: [UInt8]) throws {
        var read = [UInt8](repeating: 0xEE, count: model.count)
        // In uneven pieces, so reads start and end inside blocks.
        var offset = 0
        for piece in [3 * 512, 1 << 20, 700 * 512] where offset < model.count {
            let count = min(piece, model.count - offset)
            try read.withUnsafeMutableBytes { try chain.read(at: Int64(offset), into: UnsafeMutableRawBufferPointer(rebasing: $0[offset..<(offset + count)])) }
            offset += count
        }
        if offset < model.count {
            try read.withUnsafeMutableBytes { try chain.read(at: Int64(offset), into: UnsafeMutableRawBufferPointer(rebasing: $0[offset...])) }
        }
        #expect(read == model)
    }
}

@Suite("full copies")
struct VHDCopyTests {
    @Test(
        "flattening a chain gives one dynamic VHD with the same content, holding only blocks with data",
        arguments: [("grandchild.vhd", 3), ("child.vhd", 2), ("fixed.vhd", 1), ("empty.vhd", 0)])
    func flatten(name: String, blocks: Int) throws {
        let folder = try VHDWriterTests.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try VHDChain(path: VHDFixtureTests.path(name))
        let path = folder.appendingPathComponent("copy.vhd").path
        #expect(try VHDCopy.flatten(source, to: path, uuid: "0b1b2b3b-4b5b-46b7-88b9-0a1b2c3d4e5f", timestamp: 1) == blocks)
        let copy = try VHDChain(path: path)
        #expect(copy.images.count == 1 && copy.images[0].footer.diskType == .dynamic)
        #expect(try VHDFixtureTests.digest(copy) == (try VHDFixtureTests.digest(source)))
        #expect(VHDCheck.problems(of: copy.images[0]) == [])
    }
}
