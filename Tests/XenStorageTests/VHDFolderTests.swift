import Foundation
import Testing
import XenStorage

/// A file SR's folder: creating, double snapshots, full copies, resizing, and the journal that
/// lets a crash be finished or undone.
@Suite("file SR folders")
struct VHDFolderTests {
    static let size: Int64 = 8 << 20

    static func folder() throws -> (VHDFolder, URL) {
        let url = try VHDWriterTests.scratch()
        let folder = VHDFolder(path: url.path)
        try folder.prepare()
        return (folder, url)
    }

    /// The whole disk the VDI's chain presents.
    static func content(_ folder: VHDFolder, _ uuid: String) throws -> [UInt8] {
        let chain = try folder.chain(uuid)
        var bytes = [UInt8](repeating: 0, count: Int(chain.virtualSize))
        try bytes.withUnsafeMutableBytes { try chain.read(at: 0, into: $0) }
        return bytes
    }

    static func write(_ folder: VHDFolder, _ uuid: String, at offset: Int64, length: Int, fill: UInt8) throws {
        let writer = try VHDWriter.open(path: folder.file(uuid))
        try VHDWriterTests.write(writer, [(offset, length, fill)])
        try writer.close()
    }

    static func uuid(_ n: Int) -> String { String(format: "00000000-0000-4000-8000-%012d", n) }

    @Test("a snapshot moves the content to a hidden base; the VDI keeps its uuid as an empty leaf; the clone shares the base")
    func doubleSnapshot() throws {
        let (folder, url) = try Self.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let (vdi, base, clone) = (Self.uuid(1), Self.uuid(2), Self.uuid(3))
        let created = try folder.create(uuid: vdi, size: Self.size, timestamp: 100)
        try folder.finish(.create(vdi: vdi))
        #expect(created.virtualSize == Self.size && created.parent == nil && !created.hidden)
        try Self.write(folder, vdi, at: 4096, length: 8192, fill: 0x11)
        let before = try Self.content(folder, vdi)

        let made = try folder.snapshot(vdi, base: base, clones: [clone], timestamp: 200)
        try folder.finish(made.journal)
        #expect(made.base?.hidden == true && made.base?.uuid == base)
        #expect(made.leaf.parent == base && made.leaf.allocatedBlocks == 0)
        #expect(made.clones.map(\.parent) == [base])
        #expect(try Self.content(folder, vdi) == before)
        #expect(try Self.content(folder, clone) == before)
        #expect(try folder.facts(base).hidden)
        #expect(try folder.chainDepth(vdi) == 2)
        #expect(try folder.pendingJournals().isEmpty)

        // Writes to the leaf and the clone stay apart.
        try Self.write(folder, clone, at: 0, length: 512, fill: 0x22)
        #expect(try Self.content(folder, vdi) == before)
        #expect(try Self.content(folder, clone) != before)
        for disk in try folder.scan().disks { #expect(VHDCheck.problems(of: try VHDImage(path: folder.file(disk.uuid))).isEmpty, "\(disk.uuid)") }
    }

    @Test("snapshotting an empty child does not deepen the chain")
    func emptyChildIsNotDeepened() throws {
        let (folder, url) = try Self.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        _ = try folder.create(uuid: Self.uuid(1), size: Self.size, timestamp: 1)
        try Self.write(folder, Self.uuid(1), at: 0, length: 4096, fill: 7)
        try folder.finish(folder.snapshot(Self.uuid(1), base: Self.uuid(2), clones: [Self.uuid(3)], timestamp: 2).journal)
        let again = try folder.snapshot(Self.uuid(1), base: Self.uuid(4), clones: [Self.uuid(5)], timestamp: 3)
        try folder.finish(again.journal)
        #expect(again.base == nil)
        #expect(again.clones.map(\.parent) == [Self.uuid(2)])
        #expect(!folder.exists(Self.uuid(4)))
        #expect(try folder.chainDepth(Self.uuid(5)) == 2)
        #expect(try Self.content(folder, Self.uuid(5)) == Self.content(folder, Self.uuid(1)))
    }

    @Test("an unrecorded snapshot is undone whatever step it reached; a recorded one is finished")
    func snapshotRollBack() throws {
        let (folder, url) = try Self.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let vdi = Self.uuid(1)
        _ = try folder.create(uuid: vdi, size: Self.size, timestamp: 1)
        try folder.finish(.create(vdi: vdi))
        try Self.write(folder, vdi, at: 2 << 20, length: 2 << 20, fill: 0x33)
        let before = try Self.content(folder, vdi)

        let made = try folder.snapshot(vdi, base: Self.uuid(2), clones: [Self.uuid(3)], timestamp: 2)
        #expect(try folder.pendingJournals() == [made.journal])
        #expect(made.journal.isCommitted(knownVDI: { $0 == Self.uuid(3) }))
        #expect(!made.journal.isCommitted(knownVDI: { $0 == vdi }))
        try folder.rollBack(made.journal)
        #expect(try folder.scan().disks.map(\.uuid) == [vdi])
        #expect(try folder.facts(vdi).parent == nil && !folder.facts(vdi).hidden)
        #expect(try Self.content(folder, vdi) == before)

        // Stopped after the hard link only: the link goes, the VDI is untouched.
        #expect(link(folder.file(vdi), folder.file(Self.uuid(4))) == 0)
        try folder.rollBack(.snapshot(vdi: vdi, base: Self.uuid(4), clones: [Self.uuid(5)]))
        #expect(try folder.scan().disks.map(\.uuid) == [vdi])
        #expect(try Self.content(folder, vdi) == before)
        #expect(try folder.pendingJournals().isEmpty)
    }

    @Test("a full copy collapses the chain into one dynamic disk with the same content")
    func fullCopy() throws {
        let (folder, url) = try Self.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        _ = try folder.create(uuid: Self.uuid(1), size: Self.size, timestamp: 1)
        try Self.write(folder, Self.uuid(1), at: 0, length: 4096, fill: 1)
        for step in 0..<3 {
            let made = try folder.snapshot(Self.uuid(1), base: Self.uuid(10 + step), clones: [], timestamp: 2)
            try folder.finish(made.journal)
            try Self.write(folder, Self.uuid(1), at: Int64(step + 1) << 20, length: 1024, fill: UInt8(step + 2))
        }
        #expect(try folder.chainDepth(Self.uuid(1)) == 4)
        let copy = try folder.copy(folder.chain(Self.uuid(1)), uuid: Self.uuid(20), timestamp: 3)
        try folder.finish(.create(vdi: Self.uuid(20)))
        #expect(copy.parent == nil)
        #expect(try folder.chainDepth(Self.uuid(20)) == 1)
        #expect(try Self.content(folder, Self.uuid(20)) == Self.content(folder, Self.uuid(1)))
    }

    @Test("resizing keeps the content and the parent; destroying removes the file only when finished")
    func resizeAndDestroy() throws {
        let (folder, url) = try Self.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        _ = try folder.create(uuid: Self.uuid(1), size: Self.size, timestamp: 1)
        try Self.write(folder, Self.uuid(1), at: 0, length: 4096, fill: 9)
        try folder.finish(folder.snapshot(Self.uuid(1), base: Self.uuid(2), clones: [], timestamp: 2).journal)
        try Self.write(folder, Self.uuid(1), at: 6 << 20, length: 512, fill: 8)
        let before = try Self.content(folder, Self.uuid(1))
        let grown = try folder.resize(Self.uuid(1), to: 16 << 20, timestamp: 3)
        #expect(grown.virtualSize == 16 << 20 && grown.parent == Self.uuid(2))
        let after = try Self.content(folder, Self.uuid(1))
        #expect(Array(after.prefix(before.count)) == before)
        #expect(after.dropFirst(before.count).allSatisfy { $0 == 0 })

        let journal = try folder.beginDestroy(Self.uuid(1))
        #expect(folder.exists(Self.uuid(1)))
        try folder.finish(journal)
        #expect(!folder.exists(Self.uuid(1)))
        // The file waits in the trash, out of every scan, until the trash is emptied.
        let trash = url.appendingPathComponent(".trash/\(Self.uuid(1)).vhd").path
        #expect(FileManager.default.fileExists(atPath: trash))
        #expect(try folder.scan().disks.map(\.uuid) == [Self.uuid(2)])
        try folder.emptyTrash()
        #expect(!FileManager.default.fileExists(atPath: trash))
        try folder.emptyTrash()
        #expect(VHDFolder.roundedSize(1) == 2 << 20 && VHDFolder.roundedSize((2 << 20) + 1) == 4 << 20)
        #expect(VHDFolder.roundedSize(VHDFolder.maximumSize + 1) == nil)
    }
}

extension VHDFolderTests {
    @Test("a grown child over a smaller parent copies, exports and collects (found by xen-sim)")
    func grownChild() async throws {
        let (folder, url) = try Self.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let vdi = Self.uuid(1)
        _ = try folder.create(uuid: vdi, size: 4 << 20, timestamp: 1)
        try folder.finish(.create(vdi: vdi))
        try Self.write(folder, vdi, at: 0, length: 4096, fill: 1)
        try folder.finish(folder.snapshot(vdi, base: Self.uuid(2), clones: [], timestamp: 2).journal)
        _ = try folder.resize(vdi, to: 12 << 20, timestamp: 3)
        try Self.write(folder, vdi, at: 10 << 20, length: 4096, fill: 2)
        let content = try Self.content(folder, vdi)
        _ = try folder.copy(folder.chain(vdi), uuid: Self.uuid(3), timestamp: 4)
        #expect(try Self.content(folder, Self.uuid(3)) == content)
        #expect(VHDExport(try folder.chain(vdi), format: .vhd).blocks == [0, 5])
        try VHDGarbageCollector(folder: folder).run()
        #expect(try folder.chainDepth(vdi) == 1)
        #expect(try Self.content(folder, vdi) == content)
    }
}
