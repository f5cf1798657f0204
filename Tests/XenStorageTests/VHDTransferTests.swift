import Foundation
import Testing
import XenStorage

/// Disk streams out and in: raw and VHD exports, incremental ones, and imports of them.
@Suite("disk transfer streams")
struct VHDTransferTests {
    /// The stream's bytes.
    static func bytes(_ export: VHDExport) async throws -> [UInt8] {
        var out: [UInt8] = []
        try await export.write(uuid: VHDFolderTests.uuid(99), timestamp: 5) { out += $0 }
        #expect(Int64(out.count) == export.length)
        return out
    }

    /// A reader over `bytes` in uneven chunks.
    static func reader(_ bytes: [UInt8], chunk: Int = 77_777) -> ByteStreamReader {
        var offset = 0
        return ByteStreamReader {
            guard offset < bytes.count else { return nil }
            defer { offset += chunk }
            return Array(bytes[offset..<min(bytes.count, offset + chunk)])
        }
    }

    @Test("a VHD export is a valid dynamic VHD of the chain's content, and imports back to the same disk")
    func vhdRoundTrip() async throws {
        let (folder, url) = try VHDFolderTests.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let source = VHDFolderTests.uuid(1)
        _ = try folder.create(uuid: source, size: 8 << 20, timestamp: 1)
        try VHDFolderTests.write(folder, source, at: 512, length: 1024, fill: 3)
        try folder.finish(folder.snapshot(source, base: VHDFolderTests.uuid(2), clones: [], timestamp: 2).journal)
        try VHDFolderTests.write(folder, source, at: 6 << 20, length: 4096, fill: 4)
        let export = VHDExport(try folder.chain(source), format: .vhd)
        #expect(export.blocks == [0, 3])
        let stream = try await Self.bytes(export)
        let file = url.appendingPathComponent("stream.vhd").path
        try Data(stream).write(to: URL(fileURLWithPath: file))
        #expect(VHDCheck.problems(of: try VHDImage(path: file)).isEmpty)

        let target = VHDFolderTests.uuid(3)
        _ = try folder.create(uuid: target, size: 8 << 20, timestamp: 1)
        let writer = try VHDWriter.open(path: folder.file(target))
        var reader = Self.reader(stream)
        try await VHDImport.vhd(from: &reader, into: writer)
        try writer.close()
        #expect(try VHDFolderTests.content(folder, target) == VHDFolderTests.content(folder, source))

        let raw = try await Self.bytes(VHDExport(try folder.chain(source), format: .raw))
        #expect(raw == (try VHDFolderTests.content(folder, source)))
    }

    @Test("an incremental export carries only what changed since the base, and rebuilds the disk on a copy of it")
    func incremental() async throws {
        let (folder, url) = try VHDFolderTests.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let disk = VHDFolderTests.uuid(1), snapshot = VHDFolderTests.uuid(3)
        _ = try folder.create(uuid: disk, size: 16 << 20, timestamp: 1)
        for block in 0..<8 { try VHDFolderTests.write(folder, disk, at: Int64(block) << 21, length: 4096, fill: UInt8(block + 1)) }
        try folder.finish(folder.snapshot(disk, base: VHDFolderTests.uuid(2), clones: [snapshot], timestamp: 2).journal)
        try VHDFolderTests.write(folder, disk, at: 5 << 21, length: 512, fill: 0xEE)
        let delta = VHDExport(try folder.chain(disk), format: .vhd, base: try folder.chain(snapshot))
        #expect(delta.blocks == [5])
        let stream = try await Self.bytes(delta)

        let rebuilt = VHDFolderTests.uuid(4)
        _ = try folder.copy(try folder.chain(snapshot), uuid: rebuilt, timestamp: 3)
        let writer = try VHDWriter.open(path: folder.file(rebuilt))
        var reader = Self.reader(stream, chunk: 4096)
        try await VHDImport.vhd(from: &reader, into: writer)
        try writer.close()
        #expect(try VHDFolderTests.content(folder, rebuilt) == VHDFolderTests.content(folder, disk))
    }

    @Test("truncated and malformed streams are refused")
    func refusals() async throws {
        let (folder, url) = try VHDFolderTests.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let disk = VHDFolderTests.uuid(1)
        _ = try folder.create(uuid: disk, size: 4 << 20, timestamp: 1)
        try VHDFolderTests.write(folder, disk, at: 0, length: 4096, fill: 1)
        let stream = try await Self.bytes(VHDExport(try folder.chain(disk), format: .vhd))
        let target = VHDFolderTests.uuid(2)
        _ = try folder.create(uuid: target, size: 4 << 20, timestamp: 1)
        let writer = try VHDWriter.open(path: folder.file(target))
        defer { try? writer.close() }
        var truncated = Self.reader(Array(stream.prefix(stream.count - 600_000)))
        await #expect(throws: VHDError.self) { try await VHDImport.vhd(from: &truncated, into: writer) }
        var garbage = Self.reader([UInt8](repeating: 7, count: 4096))
        await #expect(throws: VHDError.self) { try await VHDImport.vhd(from: &garbage, into: writer) }
        var tooBig = Self.reader([UInt8](repeating: 1, count: (4 << 20) + 512))
        await #expect(throws: VHDError.self) { try await VHDImport.raw(from: &tooBig, into: writer, holdsData: { _ in false }) }
    }
}
