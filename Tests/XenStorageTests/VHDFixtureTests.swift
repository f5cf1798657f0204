import Crypto
import Foundation
import Testing
import XenStorage

/// The VHDs blktap itself wrote (`Fixtures/vhd`, from shared/fixtures; their README says what a
/// correct reader returns), read by ours.
@Suite("VHD fixtures written by blktap")
struct VHDFixtureTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/vhd").path

    static func path(_ name: String) -> String { folder + "/" + name }

    /// SHA-256 of the flattened disk, read 1 MiB at a time (never the whole disk at once).
    static func digest(_ chain: VHDChain) throws -> String {
        var hash = SHA256()
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var offset: Int64 = 0
        while offset < chain.virtualSize {
            let count = Int(min(Int64(chunk), chain.virtualSize - offset))
            try buffer.withUnsafeMutableBytes { raw in
                try chain.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<count]))
            }
            hash.update(data: buffer[0..<count])
            offset += Int64(count)
        }
        return hash.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test(
        "each file flattens to the content its README gives",
        arguments: [
            ("empty.vhd", 16_777_216, "080acf35a507ac9849cfcba47dc2ad83e01b75663a516279c8b9d243b719643e", 1),
            ("empty-hidden.vhd", 16_777_216, "080acf35a507ac9849cfcba47dc2ad83e01b75663a516279c8b9d243b719643e", 1),
            ("empty-prealloc.vhd", 16_777_216, "080acf35a507ac9849cfcba47dc2ad83e01b75663a516279c8b9d243b719643e", 1),
            ("base.vhd", 33_554_432, "85c8436213fd068c7065d193772a230ef95817be1bd06981cf89901851aa92af", 1),
            ("child.vhd", 33_554_432, "633ca3b8ddd00088dacc2e0362824e6216a6af56136c56ffdc86ab13ac15cd05", 2),
            ("grandchild.vhd", 33_554_432, "d735e7e8084b07fdfa3225b1c4d7c7da4fd9417b8a4698f19baa1b72513d06f7", 3),
            ("coalesced.vhd", 33_554_432, "633ca3b8ddd00088dacc2e0362824e6216a6af56136c56ffdc86ab13ac15cd05", 1),
            ("fixed.vhd", 2_097_152, "0c1a1bcc1d532dc051eae401a07e89b84c564b92df1a5144cb0812005528c439", 1),
        ])
    func flattened(name: String, size: Int64, sha256: String, depth: Int) throws {
        let chain = try VHDChain(path: Self.path(name))
        #expect(chain.virtualSize == size)
        #expect(chain.images.count == depth)
        #expect(try Self.digest(chain) == sha256)
    }

    @Test("footers, headers, locators and the BAT are read as vhd-util reports them")
    func metadata() throws {
        let base = try VHDImage(path: Self.path("base.vhd"))
        #expect(base.footer.diskType == .dynamic)
        #expect(base.footer.uuid == "118a6b47-bb0a-4436-9bf4-46e5b1156cf5")
        #expect(base.footer.creatorApplication == Array("tap\0".utf8))
        #expect(base.footer.creatorVersion == 0x0001_0003)
        #expect(base.footer.geometry == 0x03c3_0411)
        #expect(base.footer.checksum == 0xffff_f105)
        #expect(base.header?.maxTableEntries == 16)
        #expect(base.header?.blockSize == 2 << 20)
        #expect(base.header?.tableOffset == 1536)
        #expect(base.primaryFooterValid)
        #expect(try VHDImage(path: Self.path("empty-hidden.vhd")).footer.hidden == 1)
        #expect(try VHDImage(path: Self.path("empty.vhd")).footer.hidden == 0)
        #expect(try VHDImage(path: Self.path("empty-prealloc.vhd")).header?.maxTableEntries == 512)
        let child = try VHDImage(path: Self.path("child.vhd"))
        #expect(child.footer.diskType == .differencing)
        #expect(child.header?.parentUUID == base.footer.uuid)
        #expect(child.header?.parentName == "base.vhd")
        #expect(child.header?.locators.map(\.platform) == [.macX, .w2ku, .w2ru])
        #expect(child.header?.locators.map(\.offset) == [3072, 3584, 4096])
        #expect(child.header?.locators.map(\.length) == [17, 20, 20])
        let fixed = try VHDImage(path: Self.path("fixed.vhd"))
        #expect(fixed.footer.diskType == .fixed)
        #expect(fixed.footer.dataOffset == UInt64.max)
        #expect(fixed.header == nil)
    }

    @Test("a file whose trailing footer is torn opens from the copy at offset 0, as blktap's does")
    func tornTail() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vhd-torn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["base.vhd", "child.vhd"] {
            try FileManager.default.copyItem(atPath: Self.path(name), toPath: folder.appendingPathComponent(name).path)
        }
        let child = folder.appendingPathComponent("child.vhd")
        let handle = try FileHandle(forWritingTo: child)
        try handle.truncate(atOffset: 4_207_104 - 512)
        try handle.close()
        let chain = try VHDChain(path: child.path)
        #expect(chain.images[0].primaryFooterValid == false)
        #expect(try Self.digest(chain) == "633ca3b8ddd00088dacc2e0362824e6216a6af56136c56ffdc86ab13ac15cd05")
    }

    @Test("a missing parent, and a parent with another uuid, are refused")
    func parents() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vhd-parents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let child = folder.appendingPathComponent("child.vhd").path
        try FileManager.default.copyItem(atPath: Self.path("child.vhd"), toPath: child)
        #expect(throws: VHDError.parentNotFound(child: child, tried: [folder.path + "/base.vhd", folder.path + "/base.vhd", folder.path + "/base.vhd"])) {
            try VHDChain(path: child)
        }
        try FileManager.default.copyItem(atPath: Self.path("empty.vhd"), toPath: folder.appendingPathComponent("base.vhd").path)
        #expect(throws: VHDError.parentMismatch(child: child, parent: folder.path + "/base.vhd")) { try VHDChain(path: child) }
    }

    @Test("reads resolve sector by sector through the chain, and refuse what is out of range")
    func sectors() throws {
        let chain = try VHDChain(path: Self.path("grandchild.vhd"))
        var sector = [UInt8](repeating: 0, count: 512 * 3)
        // Sectors 6–8: B1 from the child, then C1 from the grandchild.
        try sector.withUnsafeMutableBytes { try chain.read(at: 6 * 512, into: $0) }
        let stamps = (0..<3).map { index in sector[(index * 512)..<(index * 512 + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        #expect(stamps == [6, 7, 8])
        #expect([sector[8], sector[512 + 8], sector[1024 + 8]] == [0xB1, 0xC1, 0xC1])
        #expect(throws: VHDError.outOfRange(offset: 33_554_432 - 512, length: 1024, size: 33_554_432)) {
            try sector.withUnsafeMutableBytes { try chain.read(at: 33_554_432 - 512, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<1024])) }
        }
    }
}
