import Foundation
import Testing
import XenAPI
@testable import XenCore
import XenRPC
import XenStorage

@Suite("update sync schedule and offline bundles")
struct UpdateScheduleTests {
    /// Thursday 1 January 2026, 10:00 UTC.
    static let thursday: Int64 = 1_767_225_600 + 10 * 3600

    @Test("the next run: the next day or chosen weekday, plus the delay, never within two hours")
    func nextRun() {
        let day: Int64 = 86_400
        let midnight = Self.thursday - 10 * 3600
        #expect(UpdateSyncSchedule.nextRun(after: Self.thursday, frequency: .daily, day: 0, delay: 0) == midnight + day)
        #expect(UpdateSyncSchedule.nextRun(after: Self.thursday, frequency: .daily, day: 0, delay: 3600) == midnight + day + 3600)
        // Weekly on Sunday (0): three days after Thursday; on Thursday itself, a week later.
        #expect(UpdateSyncSchedule.nextRun(after: Self.thursday, frequency: .weekly, day: 0, delay: 0) == midnight + 3 * day)
        #expect(UpdateSyncSchedule.nextRun(after: Self.thursday, frequency: .weekly, day: 4, delay: 0) == midnight + 7 * day)
        #expect(UpdateSyncSchedule.nextRun(after: Self.thursday, frequency: .weekly, day: 5, delay: 0) == midnight + day)
        // Just before midnight the next run is at least two hours away.
        let late = midnight + day - 60
        #expect(UpdateSyncSchedule.nextRun(after: late, frequency: .daily, day: 0, delay: 0) == late + 7200)
    }

    @Test("a scheduled sync runs on the injected clock; its failure raises PERIODIC_UPDATE_SYNC_FAILED and the next is planned")
    func scheduledSyncFailure() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let pool = try await harness.value("pool.get_all", session).arrayValue![0]
            let repository = try await harness.value(
                "Repository.introduce", session, "normal", "", "http://127.0.0.1/nowhere", "http://127.0.0.1/src", true, "")
            _ = try await harness.value("pool.set_repositories", session, pool, [repository])
            _ = try await harness.value("pool.configure_update_sync", session, pool, "daily", 0)
            _ = try await harness.value("pool.set_update_sync_enabled", session, pool, true)
            try await harness.seeded.environment.sleep(.seconds(3 * 86_400))
            let messages = try await harness.value("message.get_all_records", session).structureValue ?? [:]
            let failures = messages.values.filter { $0["name"]?.stringValue == "PERIODIC_UPDATE_SYNC_FAILED" }
            #expect((1...3).contains(failures.count))
            _ = try await harness.value("pool.set_update_sync_enabled", session, pool, false)
        }
    }

    @Test("bundles: ustar trees unpacked; a bad header checksum, a truncated member or a path outside refused")
    func bundleArchive() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bundle-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func reader(_ bytes: [UInt8]) -> ByteStreamReader {
            var sent = false
            return ByteStreamReader {
                defer { sent = true }
                return sent ? nil : bytes
            }
        }
        let good = TarWriter.member(name: "repodata/repomd.xml", data: Array("<repomd/>".utf8)) + TarWriter.end
        try await BundleArchive.unpack(reader(good), into: folder)
        #expect(FileManager.default.contents(atPath: folder + "/repodata/repomd.xml") == Data("<repomd/>".utf8))
        var corrupt = good
        corrupt[3] ^= 0x20
        await #expect(throws: BundleArchive.Refused.self) { try await BundleArchive.unpack(reader(corrupt), into: folder) }
        let truncated = Array(TarWriter.member(name: "Packages/a.rpm", data: [UInt8](repeating: 7, count: 2000)).prefix(1200))
        await #expect(throws: BundleArchive.Refused.self) { try await BundleArchive.unpack(reader(truncated), into: folder) }
        let escaping = TarWriter.member(name: "../evil", data: [1]) + TarWriter.end
        await #expect(throws: BundleArchive.Refused.self) { try await BundleArchive.unpack(reader(escaping), into: folder) }
        #expect(!FileManager.default.fileExists(atPath: folder + "/../evil"))
        await #expect(throws: BundleArchive.Refused.self) {
            try await BundleArchive.unpack(reader(good), into: folder, limit: 4)
        }
    }
}
