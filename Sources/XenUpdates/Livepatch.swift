/// A component that can be live-patched: the hypervisor or the control domain's kernel.
public enum LivepatchComponent: String, Sendable, Hashable, CaseIterable, Codable {
    case xen
    case kernel

    /// The package a running component boots from.
    public var package: String {
        switch self {
        case .xen: "xen-hypervisor"
        case .kernel: "kernel"
        }
    }
}

/// A live patch an update offers (`<livepatch component= base= to= base-buildid=>`): it moves a
/// component running the build `baseBuildID` (of version `base`) to the version `to`.
public struct Livepatch: Sendable, Hashable {
    public var component: LivepatchComponent
    public var baseBuildID: String
    public var baseVersion: String
    public var baseRelease: String
    public var toVersion: String
    public var toRelease: String

    public init(component: LivepatchComponent, baseBuildID: String, baseVersion: String, baseRelease: String, toVersion: String, toRelease: String) {
        self.component = component
        self.baseBuildID = baseBuildID
        self.baseVersion = baseVersion
        self.baseRelease = baseRelease
        self.toVersion = toVersion
        self.toRelease = toRelease
    }

}

/// A version and release, as live patches name their targets (`4.19.19`, `8.0.38.xs8`).
public struct VersionRelease: Sendable, Hashable, Codable {
    public var version: String
    public var release: String

    public init(version: String, release: String) {
        self.version = version
        self.release = release
    }

    /// `4.19.19-8.0.38.xs8`, split at the first `-`.
    public init?(_ text: String) {
        guard let dash = text.firstIndex(of: "-") else { return nil }
        version = String(text[..<dash])
        release = String(text[text.index(after: dash)...])
        if version.isEmpty || release.isEmpty { return nil }
    }
}

/// A livepatchable component as it runs on a host: the build it booted, and the live patch
/// applied to it, if any.
public struct RunningComponent: Sendable, Hashable, Codable {
    public var component: LivepatchComponent
    public var baseBuildID: String
    /// The version and release the applied live patch moved it to.
    public var livepatchTo: VersionRelease?

    public init(component: LivepatchComponent, baseBuildID: String, livepatchTo: VersionRelease? = nil) {
        self.component = component
        self.baseBuildID = baseBuildID
        self.livepatchTo = livepatchTo
    }
}
