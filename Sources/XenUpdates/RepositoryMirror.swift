import Foundation

/// Where a repository's files come from: a web server (the repository's base URL), or a folder
/// (an unpacked offline bundle).
public protocol RepositorySource: Sendable {
    /// The bytes at `path`, relative to the repository's base (`repodata/repomd.xml`).
    func fetch(_ path: String) async throws -> [UInt8]
    /// Lets go of what the source holds (connections); called once the sync is over.
    func close() async
}

extension RepositorySource {
    public func close() async {}
}

/// A repository in a local folder.
public struct FolderSource: RepositorySource {
    public let path: String

    public init(path: String) { self.path = path }

    public func fetch(_ relative: String) async throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path).appendingPathComponent(relative)))
    }
}

/// A repository as the coordinator mirrors it: `repomd.xml` checked against its detached
/// signature, every metadata file and package against the sha256 the metadata gives, all
/// written to a new folder that replaces the previous mirror only when everything is there, so a
/// failed sync leaves the previous mirror as it was.
public struct RepositoryMirror: Sendable {
    /// The mirror's folder.
    public let folder: String

    public init(folder: String) { self.folder = folder }

    /// What a mirror holds.
    public struct Content: Sendable {
        /// The sha256 of `updateinfo.xml.gz` (the hash), for an update repository.
        public var hash: String?
        public var packages: [RPMPackage]
        public var info: UpdateInfo?
    }

    /// Why a sync or a read of the mirror failed.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// A file could not be fetched.
        case unreachable(path: String, reason: String)
        /// The signature of `repomd.xml` is missing or does not verify.
        case signature(String)
        /// The metadata is malformed or does not match its checksums.
        case metadata(String)
        /// `updateinfo.xml` is invalid (`INVALID_UPDATEINFO_XML`).
        case updateInfo(String)
        /// The mirror could not be written or read.
        case storage(String)

        public var description: String {
            switch self {
            case .unreachable(let path, let reason): "cannot fetch \(path): \(reason)"
            case .signature(let reason): "repomd.xml: \(reason)"
            case .metadata(let reason): reason
            case .updateInfo(let reason): "updateinfo.xml: \(reason)"
            case .storage(let reason): reason
            }
        }
    }

    /// Mirrors `source`, its signature checked with `armoredKey`; `scratch` is an empty folder
    /// for the signature check, removed by the caller. `progress` gets the fraction done.
    public func sync(
        from source: any RepositorySource, armoredKey: [UInt8], scratch: String, progress: (Double) async -> Void = { _ in }
    ) async throws(Failure) -> Content {
        let staging = folder + ".sync"
        let manager = FileManager.default
        try? manager.removeItem(atPath: staging)
        do {
            let repomd = try await fetch(source, "repodata/repomd.xml")
            let signature = try await fetch(source, "repodata/repomd.xml.asc")
            do {
                try DetachedSignature.verify(data: repomd, signature: signature, armoredKey: armoredKey, scratch: scratch)
            } catch {
                throw Failure.signature(error.description)
            }
            let index = try parseIndex(repomd)
            try write(repomd, "repodata/repomd.xml", in: staging)
            try write(signature, "repodata/repomd.xml.asc", in: staging)
            for entry in index.entries {
                let bytes = try await fetch(source, entry.location)
                do { _ = try RepositoryIndex.verified(bytes, against: entry) } catch { throw Failure.metadata(error.description) }
                try write(bytes, entry.location, in: staging)
            }
            let content = try Self.content(of: staging, index: index)
            let packages = try packageEntries(in: staging, index: index)
            for (number, entry) in packages.enumerated() {
                let bytes = try await fetch(source, entry.location)
                let digest = RepositoryIndex.sha256Text(bytes)
                guard entry.sha256.isEmpty || digest == entry.sha256 else {
                    throw Failure.metadata("\(entry.location) has sha256 \(digest), primary.xml says \(entry.sha256)")
                }
                try write(bytes, entry.location, in: staging)
                await progress(Double(number + 1) / Double(max(packages.count, 1)))
            }
            try replace(with: staging)
            return content
        } catch let failure as Failure {
            try? manager.removeItem(atPath: staging)
            throw failure
        } catch {
            try? manager.removeItem(atPath: staging)
            throw Failure.storage("\(error)")
        }
    }

    /// Reads the mirror as the last sync left it.
    public func read() throws(Failure) -> Content {
        let repomd: [UInt8]
        do {
            repomd = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/repodata/repomd.xml")))
        } catch {
            throw Failure.storage("the mirror at \(folder) has no repodata/repomd.xml: sync the updates first")
        }
        return try Self.content(of: folder, index: parseIndex(repomd))
    }

    /// Removes the mirror.
    public func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func parseIndex(_ repomd: [UInt8]) throws(Failure) -> RepositoryIndex {
        do { return try RepositoryIndex.parse(repomd) } catch { throw .metadata(error.description) }
    }

    /// The packages and update information of a mirrored tree, each file checked again.
    static func content(of root: String, index: RepositoryIndex) throws(Failure) -> Content {
        var packages: [RPMPackage] = []
        var info: UpdateInfo?
        do {
            if let primary = index.entry("primary") {
                let bytes = try RepositoryIndex.verified(try readFile(root, primary.location), against: primary)
                packages = try RepositoryPackages.parse(RepositoryIndex.uncompressed(bytes, location: primary.location)).entries.map(\.package)
            }
            if let entry = index.entry("updateinfo") {
                let bytes = try RepositoryIndex.verified(try readFile(root, entry.location), against: entry)
                do {
                    info = try UpdateInfo.parse(RepositoryIndex.uncompressed(bytes, location: entry.location))
                } catch let invalid as UpdateInfo.Invalid {
                    throw Failure.updateInfo(invalid.description)
                }
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .metadata("\(error)")
        }
        return Content(hash: index.entry("updateinfo")?.sha256, packages: packages, info: info)
    }

    private func packageEntries(in root: String, index: RepositoryIndex) throws(Failure) -> [RepositoryPackages.Entry] {
        guard let primary = index.entry("primary") else { return [] }
        do {
            return try RepositoryPackages.parse(RepositoryIndex.uncompressed(try Self.readFile(root, primary.location), location: primary.location)).entries
        } catch {
            throw .metadata("\(error)")
        }
    }

    private static func readFile(_ root: String, _ relative: String) throws(Failure) -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: root).appendingPathComponent(relative)))
        } catch {
            throw .storage("cannot read \(relative) in \(root)")
        }
    }

    private func fetch(_ source: any RepositorySource, _ path: String) async throws(Failure) -> [UInt8] {
        do { return try await source.fetch(path) } catch { throw .unreachable(path: path, reason: "\(error)") }
    }

    private func write(_ bytes: [UInt8], _ relative: String, in root: String) throws(Failure) {
        guard RepositoryPath.isSafe(relative) else { throw .metadata("\(relative) leaves the repository") }
        let url = URL(fileURLWithPath: root).appendingPathComponent(relative)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        } catch {
            throw .storage("cannot write \(url.path): \(error)")
        }
    }

    /// The new tree takes the mirror's place: the old one moved aside, the new one renamed in,
    /// the old one removed.
    private func replace(with staging: String) throws(Failure) {
        let manager = FileManager.default
        let previous = folder + ".old"
        try? manager.removeItem(atPath: previous)
        do {
            if manager.fileExists(atPath: folder) { try manager.moveItem(atPath: folder, toPath: previous) }
            try manager.moveItem(atPath: staging, toPath: folder)
        } catch {
            if !manager.fileExists(atPath: folder) { try? manager.moveItem(atPath: previous, toPath: folder) }
            throw .storage("cannot put the new mirror in place: \(error)")
        }
        try? manager.removeItem(atPath: previous)
    }
}
