import Foundation

/// A network share an SR lives on, mounted with the system's own tools as SM mounts it:
/// NFS (`server:/path`, `mount.nfs` from `nfs-common`) or SMB/CIFS (`//server/share`,
/// `mount.cifs` from `cifs-utils`).
public struct ShareMount: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case nfs
        case cifs

        /// The mount helper the kernel's `mount` needs, and the Debian package that has it.
        var helper: (program: String, package: String) {
            switch self {
            case .nfs: ("mount.nfs", "nfs-common")
            case .cifs: ("mount.cifs", "cifs-utils")
            }
        }
    }

    public var kind: Kind
    /// `server:/path` or `//server/share`.
    public var source: String
    public var options: [String]

    public init(kind: Kind, source: String, options: [String] = []) {
        self.kind = kind
        self.source = source
        self.options = options
    }

    /// Reads an ISO SR's `location`: `server:/path` is NFS, `//server/share` is SMB; a local
    /// folder is no share.
    public init?(location: String) {
        if location.hasPrefix("//") {
            self.init(kind: .cifs, source: location)
        } else if let colon = location.firstIndex(of: ":"), location[location.index(after: colon)...].hasPrefix("/"),
            colon != location.startIndex
        {
            self.init(kind: .nfs, source: location)
        } else {
            return nil
        }
    }

    /// Why a share could not be mounted or unmounted.
    public enum Failure: Error, Sendable, Hashable {
        /// The mount helper is not installed: the package to install.
        case missingPackage(program: String, package: String)
        /// `mount` or `umount` failed: its exit status and what it said.
        case failed(status: Int32, output: String)
    }

    /// Mounts the share at `point` (made if missing); a share already mounted there is left.
    public func mount(at point: String) throws(Failure) {
        let helper = kind.helper
        let folders = ["/sbin", "/usr/sbin", "/bin", "/usr/bin"]
        guard folders.contains(where: { FileManager.default.isExecutableFile(atPath: $0 + "/" + helper.program) }) else {
            throw .missingPackage(program: helper.program, package: helper.package)
        }
        if Self.isMounted(point) { return }
        try? FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: true)
        var arguments = ["-t", kind.rawValue]
        if !options.isEmpty { arguments += ["-o", options.joined(separator: ",")] }
        try Self.run("mount", arguments + [source, point])
    }

    /// Unmounts whatever is mounted at `point`.
    public static func unmount(_ point: String) throws(Failure) {
        guard isMounted(point) else { return }
        try run("umount", [point])
    }

    /// Whether something is mounted at `point` (per `/proc/self/mounts`).
    public static func isMounted(_ point: String) -> Bool {
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return false }
        let target = URL(fileURLWithPath: point).standardizedFileURL.path
        return mounts.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 1 && fields[1] == target
        }
    }

    private static func run(_ program: String, _ arguments: [String]) throws(Failure) {
        do throws(SystemCommand.Failure) {
            try SystemCommand.run(program, arguments)
        } catch {
            throw .failed(status: error.status, output: error.output)
        }
    }
}
