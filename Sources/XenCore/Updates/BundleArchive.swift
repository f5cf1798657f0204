import Foundation
import XenStorage
import XenUpdates

/// An offline update bundle (`.xsbundle`): an uncompressed ustar archive of a repository tree,
/// unpacked as xapi unpacks `PUT /bundle`: members relative to the repository's root, only
/// directories and regular files, no absolute paths and no `.` or `..` parts, at most `limit`
/// bytes of files (xapi: 1 GiB); a header that fails its checksum or a stream that ends inside a
/// member is refused.
enum BundleArchive {
    /// Why a bundle could not be unpacked (xapi: `BUNDLE_UNPACK_FAILED`).
    struct Refused: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// xapi's `bundle_max_size_limit`.
    static let defaultLimit: Int64 = 1 << 30

    /// Unpacks the archive read from `reader` into `folder` (made empty first).
    static func unpack(
        _ reader: ByteStreamReader, into folder: String, limit: Int64 = defaultLimit, progress: (Int64) async -> Void = { _ in }
    ) async throws(Refused) {
        let manager = FileManager.default
        try? manager.removeItem(atPath: folder)
        var tar = TarReader(reader)
        var total: Int64 = 0
        do {
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
            while let member = try await tar.next() {
                var name = member.name
                while name.hasSuffix("/") { name.removeLast() }
                if name.hasPrefix("./") { name.removeFirst(2) }
                guard RepositoryPath.isSafe(name) else { throw Refused(description: "member \(member.name) leaves the bundle") }
                let path = folder + "/" + name
                if member.isDirectory {
                    try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
                    continue
                }
                guard member.isFile else { throw Refused(description: "member \(member.name) is neither a file nor a directory") }
                total += member.size
                guard total <= limit else { throw Refused(description: "the bundle is larger than \(limit) bytes") }
                try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                guard manager.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
                    throw Refused(description: "cannot write \(name)")
                }
                defer { try? file.close() }
                while true {
                    let piece = try await tar.readData(upTo: 1 << 20)
                    if piece.isEmpty { break }
                    try file.write(contentsOf: piece)
                }
                await progress(tar.position)
            }
        } catch let refused as Refused {
            throw refused
        } catch VHDError.truncated {
            throw Refused(description: "the archive ends inside a member")
        } catch VHDError.malformed(_, let reason) {
            throw Refused(description: "the archive has a \(reason) in a header")
        } catch {
            throw Refused(description: "\(error)")
        }
    }
}
