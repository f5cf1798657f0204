/// An RPM package as xapi's `Rpm.Pkg` sees it: name, epoch (0 or none is no epoch), version,
/// release and architecture, ordered by epoch, then version, then release.
public struct RPMPackage: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    /// `nil` for no epoch (an epoch of 0 is written so in the metadata, and means the same).
    public var epoch: Int?
    public var version: String
    public var release: String
    public var arch: String

    public init(name: String, epoch: Int?, version: String, release: String, arch: String) {
        self.name = name
        self.epoch = epoch == 0 ? nil : epoch
        self.version = version
        self.release = release
        self.arch = arch
    }

    /// Reads a full name as yum and xapi write it, `qemu-2:4.2.1-5.2.13.xs8.x86_64` (with or
    /// without `.rpm`, with or without an epoch); the architecture must be `x86_64` or `noarch`.
    public init?(fullName: String) {
        var text = Substring(fullName)
        if text.hasSuffix(".rpm") { text = text.dropLast(4) }
        guard let dot = text.lastIndex(of: "."), ["x86_64", "noarch"].contains(text[text.index(after: dot)...]) else { return nil }
        let arch = String(text[text.index(after: dot)...])
        let rest = text[..<dot]
        guard let releaseDash = rest.lastIndex(of: "-"), let versionDash = rest[..<releaseDash].lastIndex(of: "-") else { return nil }
        guard let (epoch, version, release) = Self.epochVersionRelease(rest[rest.index(after: versionDash)...]) else { return nil }
        self.init(name: String(rest[..<versionDash]), epoch: epoch, version: version, release: release, arch: arch)
    }

    /// `[epoch:]version-release`, the epoch as a number, `None` or `(none)`.
    public static func epochVersionRelease(_ text: Substring) -> (Int?, String, String)? {
        var epoch: Int?
        var versionRelease = text
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: break
        case 2:
            let parsed = RPMPackage.epoch(parts[0])
            guard parsed.valid else { return nil }
            epoch = parsed.value
            versionRelease = parts[1]
        default: return nil
        }
        let pieces = versionRelease.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty else { return nil }
        return (epoch, String(pieces[0]), String(pieces[1]))
    }

    /// An epoch as metadata writes it: a number (0 is none), `None`, `(none)` or nothing;
    /// `valid` is false for anything else.
    public static func epoch(_ text: Substring) -> (valid: Bool, value: Int?) {
        if text == "None" || text == "(none)" || text.isEmpty { return (true, nil) }
        guard let number = Int(text), number >= 0 else { return (false, nil) }
        return (true, number == 0 ? nil : number)
    }

    /// `name.arch`: what identifies the package on a host.
    public var nameArch: String { name + "." + arch }

    /// The full name as xapi writes it in `RPMS`: `qemu-2:4.2.1-5.2.13.xs8.x86_64.rpm`.
    public var fullName: String {
        let evr = (epoch.map { "\($0):" } ?? "") + version + "-" + release
        return "\(name)-\(evr).\(arch).rpm"
    }

    public var description: String { fullName }

    /// How this package's epoch, version and release compare with `other`'s.
    public func compareEVR(_ other: RPMPackage) -> RPMVersionOrder {
        RPMVersionOrder.compare(epoch: epoch, version, release, with: other.epoch, other.version, other.release)
    }

    /// Whether this package is newer than `other` (same name and arch assumed).
    public func isNewer(than other: RPMPackage) -> Bool { compareEVR(other) == .greater }
}
