import Foundation
import Synchronization

/// One lock per SR folder, for the whole process: a file operation and a garbage-collector
/// step never see each other half done. Reentrant, so an operation may undo itself under it.
enum FolderLock {
    private static let locks = Mutex<[String: NSRecursiveLock]>([:])

    static func with<T>(_ path: String, _ body: () throws(VHDError) -> T) throws(VHDError) -> T {
        let lock = locks.withLock { locks in
            if let lock = locks[path] { return lock }
            let lock = NSRecursiveLock()
            locks[path] = lock
            return lock
        }
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
