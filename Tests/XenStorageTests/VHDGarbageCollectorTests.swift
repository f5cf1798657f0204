import Foundation
import Testing
@testable import XenStorage

/// The garbage collector against a model: whatever it does, and wherever a crash stops it,
/// every visible disk reads as before, every file stays valid, and in the end nothing is left
/// to collect.
@Suite("garbage collection and coalescing")
struct VHDGarbageCollectorTests {
    struct Crash: Error {}

    /// A folder with a random history: writes, snapshots with clones, and deletions.
    static func history(seed: UInt64) throws -> (VHDFolder, URL) {
        let (folder, url) = try VHDFolderTests.folder()
        var random = VHDModelTests.Generator(state: seed)
        var next = 1
        func fresh() -> String {
            defer { next += 1 }
            return VHDFolderTests.uuid(next)
        }
        var visible = [fresh()]
        _ = try folder.create(uuid: visible[0], size: 8 << 20, timestamp: 1)
        try folder.finish(.create(vdi: visible[0]))
        for _ in 0..<14 {
            let vdi = visible[random.next(visible.count)]
            switch random.next(4) {
            case 0, 1:
                try VHDFolderTests.write(
                    folder, vdi, at: Int64(random.next(16)) << 19, length: 512 * (1 + random.next(16)), fill: UInt8(1 + random.next(250)))
            case 2:
                let clones = (0..<random.next(2)).map { _ in fresh() }
                let made = try folder.snapshot(vdi, base: fresh(), clones: clones, timestamp: 2)
                try folder.finish(made.journal)
                visible += clones
            default:
                guard visible.count > 1 else { continue }
                try folder.finish(try folder.beginDestroy(vdi))
                visible.removeAll { $0 == vdi }
            }
        }
        return (folder, url)
    }

    static func contents(_ folder: VHDFolder) throws -> [String: [UInt8]] {
        var contents: [String: [UInt8]] = [:]
        for disk in try folder.scan().disks where !disk.hidden { contents[disk.uuid] = try VHDFolderTests.content(folder, disk.uuid) }
        return contents
    }

    static func expectCollected(_ folder: VHDFolder, _ before: [String: [UInt8]]) throws {
        #expect(try contents(folder) == before)
        for disk in try folder.scan().disks {
            #expect(VHDCheck.problems(of: try VHDImage(path: folder.file(disk.uuid))).isEmpty, "\(disk.uuid)")
        }
        #expect(try VHDGarbageCollector(folder: folder).run().isEmpty, "nothing left to collect")
        #expect(try folder.pendingJournals().isEmpty)
    }

    @Test("collecting keeps every visible disk's content and leaves chains as short as they can be", arguments: [1, 2, 3, 4, 5, 6])
    func collect(seed: UInt64) throws {
        let (folder, url) = try Self.history(seed: seed)
        defer { try? FileManager.default.removeItem(at: url) }
        let before = try Self.contents(folder)
        try VHDGarbageCollector(folder: folder).run()
        try Self.expectCollected(folder, before)
        for disk in try folder.scan().disks where disk.hidden {
            #expect(try folder.scan().disks.filter { $0.parent == disk.uuid }.count >= 2, "a hidden disk is shared by two children")
        }
    }

    @Test("a crash at any step of the collector is repaired by finishing its journal", arguments: [1, 2, 3])
    func crashAtEveryStep(seed: UInt64) throws {
        var crashAt = 1
        while true {
            let (folder, url) = try Self.history(seed: seed)
            defer { try? FileManager.default.removeItem(at: url) }
            let before = try Self.contents(folder)
            var steps = 0
            let collector = VHDGarbageCollector(folder: folder, step: { _ throws(VHDError) in
                steps += 1
                if steps == crashAt { throw VHDError.io(path: "crash", reason: "injected") }
            })
            do {
                try collector.run()
            } catch {
                // The process died here: start-up finishes what the journals say.
                for journal in try folder.pendingJournals() { try folder.finish(journal) }
                #expect(try Self.contents(folder) == before, "seed \(seed), crash at step \(crashAt)")
                try VHDGarbageCollector(folder: folder).run()
                try Self.expectCollected(folder, before)
                crashAt += 1
                continue
            }
            try Self.expectCollected(folder, before)
            #expect(crashAt > 4, "the history gave the collector work to do")
            break
        }
    }

    @Test("a leaf in use is not merged into its parent")
    func busyLeaf() throws {
        let (folder, url) = try VHDFolderTests.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let vdi = VHDFolderTests.uuid(1)
        _ = try folder.create(uuid: vdi, size: 4 << 20, timestamp: 1)
        try folder.finish(.create(vdi: vdi))
        try VHDFolderTests.write(folder, vdi, at: 0, length: 512, fill: 1)
        try folder.finish(folder.snapshot(vdi, base: VHDFolderTests.uuid(2), clones: [], timestamp: 2).journal)
        #expect(try VHDGarbageCollector(folder: folder, busy: [vdi]).run().isEmpty)
        #expect(try VHDGarbageCollector(folder: folder).run() == [.leafCoalesced(leaf: vdi, into: VHDFolderTests.uuid(2))])
        #expect(try folder.chainDepth(vdi) == 1)
    }
}
