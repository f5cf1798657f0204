import CompressNIO
import Crypto
import NIOCore

/// A yum repository's `repodata/repomd.xml`: the metadata files it lists, each with its
/// location and sha256.
public struct RepositoryIndex: Sendable {
    /// One `<data type=…>` entry.
    public struct Entry: Sendable, Hashable {
        public var type: String
        /// `repodata/<sha256>-primary.xml.gz`, relative to the repository's base URL.
        public var location: String
        /// The sha256 of the file as stored (compressed), lowercase hex.
        public var sha256: String
    }

    public var entries: [Entry]

    /// The entry of `type` (`primary`, `updateinfo`…).
    public func entry(_ type: String) -> Entry? { entries.first { $0.type == type } }

    /// Why repository metadata was refused.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Reads `repomd.xml`; only sha256 checksums are accepted, and locations must stay inside
    /// the repository.
    public static func parse(_ bytes: [UInt8]) throws(Invalid) -> RepositoryIndex {
        guard let root = XMLElementTree.parse(bytes), root.name == "repomd" else { throw Invalid("repomd.xml is not a <repomd> document") }
        var entries: [Entry] = []
        for data in root.children("data") {
            guard let type = data.attributes["type"], let checksum = data.child("checksum"),
                let location = data.child("location")?.attributes["href"]
            else { throw Invalid("a <data> entry of repomd.xml lacks its type, checksum or location") }
            guard checksum.attributes["type"] == "sha256", checksum.text.count == 64, checksum.text.allSatisfy(\.isHexDigit) else {
                throw Invalid("the \(type) metadata's checksum is not a sha256")
            }
            guard RepositoryPath.isSafe(location) else { throw Invalid("the \(type) metadata's location \(location) leaves the repository") }
            entries.append(Entry(type: type, location: location, sha256: checksum.text.lowercased()))
        }
        return RepositoryIndex(entries: entries)
    }

    /// `bytes` if their sha256 is the entry's, else the refusal.
    public static func verified(_ bytes: [UInt8], against entry: Entry) throws(Invalid) -> [UInt8] {
        let digest = sha256Text(bytes)
        guard digest == entry.sha256 else {
            throw Invalid("\(entry.location) has sha256 \(digest), repomd.xml says \(entry.sha256)")
        }
        return bytes
    }

    /// The content of a `.gz` metadata file (others as they are).
    public static func uncompressed(_ bytes: [UInt8], location: String) throws(Invalid) -> [UInt8] {
        guard location.hasSuffix(".gz") else { return bytes }
        var buffer = ByteBuffer(bytes: bytes)
        do {
            let inflated = try buffer.decompress(with: .gzip, maxSize: 256 << 20)
            return Array(inflated.readableBytesView)
        } catch {
            throw Invalid("\(location) is not valid gzip: \(error)")
        }
    }
}

/// The packages a repository offers (`primary.xml`), with their files.
public struct RepositoryPackages: Sendable {
    public struct Entry: Sendable, Hashable {
        public var package: RPMPackage
        /// `Packages/kernel-4.19.19-8.0.38.xs8.x86_64.rpm`.
        public var location: String
        public var sha256: String
    }

    public var entries: [Entry]

    /// Reads `primary.xml`.
    public static func parse(_ bytes: [UInt8]) throws(RepositoryIndex.Invalid) -> RepositoryPackages {
        guard let root = XMLElementTree.parse(bytes), root.name == "metadata" else {
            throw RepositoryIndex.Invalid("primary.xml is not a <metadata> document")
        }
        var entries: [Entry] = []
        for element in root.children("package") {
            guard let name = element.text(of: "name"), let arch = element.text(of: "arch"), let version = element.child("version"),
                let ver = version.attributes["ver"], let rel = version.attributes["rel"],
                let location = element.child("location")?.attributes["href"], RepositoryPath.isSafe(location)
            else { throw RepositoryIndex.Invalid("a package of primary.xml lacks its name, arch, version or location") }
            let epoch = RPMPackage.epoch(Substring(version.attributes["epoch"] ?? ""))
            guard epoch.valid else { throw RepositoryIndex.Invalid("package \(name) has a bad epoch") }
            entries.append(
                Entry(
                    package: RPMPackage(name: name, epoch: epoch.value, version: ver, release: rel, arch: arch), location: location,
                    sha256: element.text(of: "checksum")?.lowercased() ?? ""))
        }
        return RepositoryPackages(entries: entries)
    }
}

/// Paths inside a repository or a bundle: relative, no `.` or `..` parts, no empty parts.
public enum RepositoryPath {
    public static func isSafe(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/") else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }
}

extension RepositoryIndex {
    /// The sha256 of `bytes` as 64 lowercase hex digits, as repository metadata writes it.
    public static func sha256Text(_ bytes: [UInt8]) -> String { HexText.of(SHA256.hash(data: bytes)) }
}

/// Bytes as lowercase hex digits, two per byte (digests as metadata and build ids write them).
public enum HexText {
    public static func of(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }
}
