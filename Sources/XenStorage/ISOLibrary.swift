import Foundation

/// An ISO library's folder, as SM's `ISOSR` reads it: every regular file whose name ends in
/// `.iso` or `.img` (in any case) is one read-only disk; folders, other files, and links that
/// lead outside the library are not.
public struct ISOLibrary: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// One disc image: its file name (the VDI's `location`) and size.
    public struct Image: Sendable, Hashable {
        public var name: String
        public var size: Int64
    }

    /// The library's images, in name order.
    public func scan() throws(VHDError) -> [Image] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
        return names.compactMap { name in
            let lower = name.lowercased()
            guard lower.hasSuffix(".iso") || lower.hasSuffix(".img"), let file = try? file(named: name) else { return nil }
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
                attributes[.type] as? FileAttributeType == .typeRegular, let size = attributes[.size] as? NSNumber
            else { return nil }
            return Image(name: name, size: size.int64Value)
        }
    }

    /// The file an image name stands for, refusing names that are not a plain file name in the
    /// library and links whose target lies outside it.
    public func file(named name: String) throws(VHDError) -> String {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.contains("\0") else {
            throw .io(path: name, reason: "not a file name in the library")
        }
        let candidate = path + "/" + name
        let root = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let resolved = URL(fileURLWithPath: candidate).resolvingSymlinksInPath().path
        guard resolved.hasPrefix(root + "/") else { throw .io(path: name, reason: "leads outside the library") }
        return candidate
    }

    /// Makes an empty image file (`VDI.create` in an ISO SR, before an upload fills it).
    public func create(name: String, size: Int64) throws(VHDError) {
        let file = try file(named: name)
        guard FileManager.default.createFile(atPath: file, contents: nil) else { throw .io(path: file, reason: "cannot create") }
        guard truncate(file, off_t(size)) == 0 else { throw .io(path: file, reason: "truncate: errno \(errno)") }
    }

    /// Removes an image file.
    public func remove(name: String) throws(VHDError) {
        let file = try file(named: name)
        guard unlink(file) == 0 || errno == ENOENT else { throw .io(path: file, reason: "unlink: errno \(errno)") }
    }

    /// The bytes the images take, and the bytes free on the file system under them.
    public func space() throws(VHDError) -> (used: Int64, available: Int64) {
        let used = try scan().reduce(Int64(0)) { $0 + $1.size }
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { throw .io(path: path, reason: "statvfs: errno \(errno)") }
        return (used, Int64(stats.f_bavail) * Int64(stats.f_frsize))
    }
}
