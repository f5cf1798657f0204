import Synchronization
import XenAPI
import XenCore
import XenDB

/// The journal of a process that can die: a write takes a moment to reach the disk, and a crash
/// loses what had not reached it (and everything the dead process tries to write after). What
/// reached it — every write the toolstack acknowledged — stays for the next incarnation.
final class CrashablePersistence: Sendable {
    private let disk = MemoryPersistence()
    private let sleep: @Sendable (Duration) async throws -> Void
    /// The incarnation that may write; a crash moves it on, so the dead one's writes fail.
    private let incarnation = Mutex(0)

    init(sleep: @escaping @Sendable (Duration) async throws -> Void) { self.sleep = sleep }

    /// The handle a new incarnation of the toolstack writes through.
    func handle() -> Handle { Handle(owner: self, incarnation: incarnation.withLock { $0 }) }

    /// The process dies: writes in flight are lost, and its handle writes nothing more.
    func crash() { incarnation.withLock { $0 += 1 } }

    /// One incarnation's view of the journal.
    struct Handle: Persistence {
        let owner: CrashablePersistence
        let incarnation: Int

        func load() throws -> (snapshot: PersistedSnapshot?, journal: [JournalRecord]) { try owner.disk.load() }

        func append(_ records: [JournalRecord]) async throws {
            // The write is on its way to the disk: a crash now loses it.
            try await owner.sleep(.milliseconds(1))
            try alive()
            try await owner.disk.append(records)
        }

        func writeSnapshot(_ snapshot: PersistedSnapshot) throws {
            try alive()
            try owner.disk.writeSnapshot(snapshot)
        }

        func loadGenerationCeiling() throws -> Int64 { try owner.disk.loadGenerationCeiling() }

        func storeGenerationCeiling(_ ceiling: Int64) throws {
            try alive()
            try owner.disk.storeGenerationCeiling(ceiling)
        }

        private func alive() throws {
            guard owner.incarnation.withLock({ $0 }) == incarnation else {
                throw XenAPIError.internalError(message: "the process has crashed")
            }
        }
    }
}
