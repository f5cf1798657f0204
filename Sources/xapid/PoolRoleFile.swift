import Foundation
import XenBackend
import XenCore

/// The pool role kept in the data folder (`pool-role.json`, as xapi keeps `pool.conf`): absent
/// on a host that runs its own pool, the coordinator's address and the eject secret on a member.
struct PoolRoleFile {
    let folder: String

    private var path: String { folder + "/pool-role.json" }

    func load() throws -> ToolstackContact? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try JSONDecoder().decode(ToolstackContact.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func save(_ role: ToolstackContact?) throws {
        guard let role else {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            return
        }
        try JSONEncoder().encode(role).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// What an ejected member does, as a XenServer host reboots into a pool of its own: its pool
    /// database, local storage, update mirror and role are removed (its machine, password and
    /// certificate stay), and the process starts again from its own executable with the same
    /// arguments, every descriptor but the standard ones closed.
    func startAgainAsNewPool() -> Never {
        for name in ["pool.db", "pool.db-wal", "pool.db-shm", "pool-role.json", "sr", "update-mirror"] {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            for descriptor in descriptors.compactMap(Int32.init) where descriptor > 2 {
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            }
        }
        announce("ejected from the pool: starting again as a pool of its own")
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        announce("could not start again (\(String(cString: strerror(errno)))); exiting")
        exit(1)
    }
}
