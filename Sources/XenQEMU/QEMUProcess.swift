import CProcessSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One QEMU process: started in a session of its own (so it outlives `xapid` and is adopted
/// again by pid after a restart), never through `-daemonize`.
public struct QEMUProcess: Sendable, Hashable {
    public let pid: Int32

    public init(pid: Int32) { self.pid = pid }

    /// Starts `program` (looked up on `PATH`) with `arguments`, its output appended to `log`,
    /// no other descriptor of ours inherited but `monitor`: a Unix socket listening at that path,
    /// made here and handed over as descriptor `QEMUCommandLine.monitorDescriptor`. A client can
    /// connect to it at once (QEMU answers once it is up, without being polled for), and when
    /// the process dies the socket goes with it, so a client waiting on it is not left hanging.
    public static func spawn(program: String, arguments: [String], log: String, monitor: String? = nil) throws(QEMUProcessError)
        -> QEMUProcess
    {
        let listening = try monitor.map { path throws(QEMUProcessError) in try listen(at: path) }
        defer { if let listening { close(listening) } }
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o640)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let listening { posix_spawn_file_actions_adddup2(&actions, listening, QEMUCommandLine.monitorDescriptor) }
        // A descriptor opened this high (and closed again below) leaves the child's table that
        // large: the kernel grows it here, while the child has one thread, instead of inside QEMU,
        // where growing a table its threads share waits for an RCU grace period (measured: 10–25
        // ms of `cont`, when a resumed guest's virtqueues open their 64th descriptor).
        posix_spawn_file_actions_addopen(&actions, reservedDescriptors - 1, "/dev/null", O_RDONLY, 0)
        process_spawn_close_from(&actions, QEMUCommandLine.monitorDescriptor + (listening == nil ? 0 : 1))
        posix_spawnattr_setflags(&attributes, process_spawn_setsid_flag() | Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)

        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, program, &actions, &attributes, argv, environ)
        guard result == 0 else { throw .spawnFailed(program: program, errno: result) }
        return QEMUProcess(pid: pid)
    }

    /// How many descriptors a QEMU process's table holds from the start: enough for the event
    /// notifiers of a guest with many virtual devices, within the soft descriptor limit.
    static var reservedDescriptors: Int32 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 64 }
        return Int32(clamping: min(UInt64(512), UInt64(limit.rlim_cur)))
    }

    /// A Unix stream socket bound at `path` and listening, never inherited by other children; kept
    /// above the descriptors a child is given, so handing it over always makes a fresh copy.
    private static func listen(at path: String) throws(QEMUProcessError) -> Int32 {
        let made = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard made >= 0 else { throw .monitorSocketFailed(path: path, errno: errno) }
        let descriptor = fcntl(made, F_DUPFD_CLOEXEC, QEMUCommandLine.monitorDescriptor + 1)
        close(made)
        guard descriptor >= 0 else { throw .monitorSocketFailed(path: path, errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw .monitorSocketFailed(path: path, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, Glibc.listen(descriptor, 4) == 0 else {
            let failure = errno
            close(descriptor)
            throw .monitorSocketFailed(path: path, errno: failure)
        }
        return descriptor
    }

    /// Whether the process still runs. A child that exited is reaped here; a process adopted
    /// after a restart is looked up in `/proc`, where an unreaped one (state `Z`) counts as gone.
    public var isRunning: Bool {
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid { return false }
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
        return state != "Z" && state != "X"
    }

    /// The command line the process runs, from `/proc` (to check an adopted process is the one
    /// recorded); `nil` when it is gone.
    public var commandLine: [String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        return data.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
    }

    /// Sends `signal` (`SIGTERM`, `SIGKILL`) to the process.
    public func send(_ signal: Int32) {
        kill(pid, signal)
    }
}

/// Why a QEMU process could not be started.
public enum QEMUProcessError: Error, Sendable, Hashable {
    case spawnFailed(program: String, errno: Int32)
    /// The socket to hand the process as its monitor could not be made at `path`.
    case monitorSocketFailed(path: String, errno: Int32)
}
