import XenAPI
import XenStorage

/// Files an operation changed in an SR folder, journalled: finished once the database has
/// recorded the operation, undone if the write failed. A crash in between leaves the journal,
/// and start-up (`StorageRecovery`) finishes or undoes it by what the database holds.
struct FileChange: Sendable {
    let folder: VHDFolder
    let journal: StorageJournal

    /// Undoes the changes, the last first (what cannot be undone now is undone at start-up).
    static func undo(_ changes: [FileChange]) {
        for change in changes.reversed() { try? change.folder.rollBack(change.journal) }
    }

    /// Runs `write` (the database's record of the changes), then finishes every change, or
    /// undoes them all if `write` fails.
    static func committing<T>(
        _ changes: [FileChange], _ write: () async throws(XenAPIError) -> T
    ) async throws(XenAPIError) -> T {
        let result: T
        do {
            result = try await write()
        } catch {
            undo(changes)
            throw error
        }
        // A journal left here is finished at the next start-up: the records are committed.
        for change in changes { try? change.folder.finish(change.journal) }
        return result
    }
}

extension XenAPIError {
    /// A storage failure as xapi reports SM's: `SR_BACKEND_FAILURE_<code>`, with the message
    /// between empty output fields.
    static func storageBackend(_ code: Int, _ message: String) -> XenAPIError {
        XenAPIError(errorDescription: ["SR_BACKEND_FAILURE_\(code)", "", message, ""])
    }

    /// A VHD file that could not be made, read or changed.
    static func storage(_ error: VHDError) -> XenAPIError {
        switch error {
        case .io(let path, let reason): .storageBackend(1200, "\(path): \(reason)")
        case .malformed(let structure, let reason): .storageBackend(1200, "VHD \(structure): \(reason)")
        case .noValidFooter(let path): .storageBackend(1200, "\(path): no valid VHD footer")
        case .parentNotFound(let child, _): .storageBackend(65, "the parent of \(child) is missing")
        case .parentMismatch(let child, let parent): .storageBackend(65, "\(parent) is not the parent \(child) names")
        case .truncated(let position): .storageBackend(1200, "the stream ended early, after \(position) bytes")
        case .outOfRange(let offset, let length, let size): .storageBackend(1200, "\(length) bytes at \(offset) lie outside the \(size)-byte disk")
        }
    }

    /// SM's refusal to deepen a chain past its limit.
    static let snapshotChainTooLong = XenAPIError.storageBackend(109, "The snapshot chain is too long")
    /// SM's refusal of a size outside 2 MiB–2040 GiB.
    static let invalidVDISize = XenAPIError.storageBackend(79, "VDI Invalid size")
}

/// Runs a VHD operation, its failures as XenAPI errors.
func storageOperation<T>(_ body: () throws(VHDError) -> T) throws(XenAPIError) -> T {
    do {
        return try body()
    } catch {
        throw XenAPIError.storage(error)
    }
}
