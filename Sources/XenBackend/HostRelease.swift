/// The release a host runs, as its installer put it there and `host.software_version` reports
/// it: the product, the platform and the toolstack versions. Releases order by platform version,
/// then toolstack version (dotted numbers, as xapi compares them during a rolling upgrade).
public struct HostRelease: Sendable, Hashable, Codable, Comparable {
    public var productVersion: String
    public var platformVersion: String
    /// The toolstack's version, `major.minor.patch`.
    public var xapiVersion: String
    public var buildNumber: String

    public init(productVersion: String, platformVersion: String, xapiVersion: String, buildNumber: String) {
        self.productVersion = productVersion
        self.platformVersion = platformVersion
        self.xapiVersion = xapiVersion
        self.buildNumber = buildNumber
    }

    /// XenServer 8.4.0, what a fresh simulated host runs.
    public static let xenServer84 = HostRelease(
        productVersion: "8.4.0", platformVersion: "3.4.0", xapiVersion: "25.6.0", buildNumber: "release/swift-xapi/25.6.0/1")

    public static func < (a: HostRelease, b: HostRelease) -> Bool {
        let (left, right) = (numbers(a.platformVersion), numbers(b.platformVersion))
        if left != right { return left.lexicographicallyPrecedes(right) }
        return numbers(a.xapiVersion).lexicographicallyPrecedes(numbers(b.xapiVersion))
    }

    /// Whether the two run the same platform and toolstack (xapi's "same versions" test).
    public func sameVersions(as other: HostRelease) -> Bool {
        numbers(platformVersion) == numbers(other.platformVersion) && numbers(xapiVersion) == numbers(other.xapiVersion)
    }

    private static func numbers(_ text: String) -> [Int] { text.split(separator: ".").map { Int($0) ?? 0 } }
    private func numbers(_ text: String) -> [Int] { Self.numbers(text) }
}
