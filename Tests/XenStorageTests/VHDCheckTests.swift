import Foundation
import Testing
import XenStorage

@Suite("vhd-util check's rules")
struct VHDCheckTests {
    /// The fixtures' day, seconds since 2000-01-01 (their timestamps are 0x329894a2…a7).
    static let fixtureDay: UInt32 = 0x3298_94a7

    @Test(
        "every fixture is valid, as vhd-util check found it",
        arguments: ["empty.vhd", "empty-hidden.vhd", "empty-prealloc.vhd", "base.vhd", "child.vhd", "grandchild.vhd", "coalesced.vhd", "fixed.vhd"])
    func fixtures(name: String) throws {
        #expect(VHDCheck.problems(of: try VHDImage(path: VHDFixtureTests.path(name)), now: Self.fixtureDay) == [])
    }

    /// A copy of base.vhd with `bytes` written at `offset`.
    private func corrupted(_ offset: Int, _ bytes: [UInt8], in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("corrupt-\(offset).vhd").path
        var data = try Data(contentsOf: URL(fileURLWithPath: VHDFixtureTests.path("base.vhd")))
        data.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("overlapping blocks, a full bit for an unallocated block, a torn footer and a future date are reported")
    func problems() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vhd-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Block 1's BAT entry (at 1536 + 4) moved onto block 0.
        let overlap = try VHDImage(path: try corrupted(1540, [0, 0, 0, 9], in: folder))
        #expect(VHDCheck.problems(of: overlap).contains("block 1 clobbers block 0"))
        // The batmap (at 2560) marks block 2, which has no BAT entry, full.
        let batmap = try VHDImage(path: try corrupted(2560, [0x60], in: folder))
        #expect(VHDCheck.problems(of: batmap).contains("batmap shows unallocated block 2 full"))
        // The trailing footer's cookie broken: the file opens from the copy, and says so.
        let torn = try VHDImage(path: try corrupted(4_203_008 - 512, Array("garbage!".utf8), in: folder))
        #expect(VHDCheck.problems(of: torn).contains("primary footer invalid"))
        #expect(VHDCheck.problems(of: try VHDImage(path: VHDFixtureTests.path("base.vhd")), now: 0x3000_0000) == ["creation time in the future"])
    }
}
