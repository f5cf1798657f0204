import Foundation
public import XenUpdates

/// How this toolstack reaches and trusts update repositories: `xapid`'s options
/// `--repository-domain-name-allowlist`, `--repository-gpgkey-dir` and `--repository-gpgkey-name`,
/// where the coordinator keeps its mirrors, and how a repository's files are fetched.
public struct UpdateSettings: Sendable {
    /// XenServer's own list: repositories are on its CDN unless the admin says otherwise.
    public static let defaultAllowlist = ["xenserver.com"]
    /// The key file bundles are checked with, and repositories whose `gpgkey_path` is empty.
    public static let defaultKeyName = "RPM-GPG-KEY-XenServer"

    /// The domains repository URLs may be on (their subdomains too); empty allows any.
    public var domainAllowlist: [String]
    /// The folder of public keys (`/etc/pki/rpm-gpg` on XenServer); `gpgkey_path` names a file in it.
    public var gpgKeyDirectory: String
    /// The key used for bundles and when `gpgkey_path` is empty.
    public var defaultKeyName: String
    /// Where the coordinator keeps its mirrors (one folder per repository uuid) and unpacks bundles.
    public var mirrorRoot: String
    /// A source for a repository (`http`, `https`), as `access` says to reach it.
    public var openSource: @Sendable (_ access: RepositoryAccess) throws -> any RepositorySource

    public init(
        domainAllowlist: [String] = defaultAllowlist, gpgKeyDirectory: String, defaultKeyName: String = defaultKeyName,
        mirrorRoot: String, openSource: @escaping @Sendable (_ access: RepositoryAccess) throws -> any RepositorySource
    ) {
        self.domainAllowlist = domainAllowlist
        self.gpgKeyDirectory = gpgKeyDirectory
        self.defaultKeyName = defaultKeyName
        self.mirrorRoot = mirrorRoot
        self.openSource = openSource
    }

    /// Settings for a toolstack without a network client (tests, simulations): repositories
    /// are read from `file://` URLs only, keys from `<root>/rpm-gpg`, mirrors in `<root>/update-mirror`.
    public static func local(root: String) -> UpdateSettings {
        UpdateSettings(
            domainAllowlist: [], gpgKeyDirectory: root + "/rpm-gpg", mirrorRoot: root + "/update-mirror",
            openSource: { access in FolderSource(path: URL(string: access.baseURL)?.path ?? access.baseURL) })
    }

    /// The mirror of the repository with this uuid.
    func mirror(_ uuid: String) -> RepositoryMirror { RepositoryMirror(folder: mirrorRoot + "/" + uuid) }

    /// The folder a bundle is unpacked into before its sync.
    var bundleFolder: String { mirrorRoot + "/bundle-upload" }
}
