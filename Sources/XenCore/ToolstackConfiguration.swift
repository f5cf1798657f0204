/// Facts about the pool this toolstack runs, and tunables with xapi's defaults.
public struct ToolstackConfiguration: Sendable {
    public var hostname: String
    /// The management address clients and members reach this host at.
    public var address: String
    /// How long a failed login waits before answering (xapi: 5 s, against brute force).
    public var loginFailureDelay: Duration
    public var productVersion: String
    /// The build of the product, as XenServer writes it (`release/<branch>/<version>/<build>`).
    public var buildNumber: String
    /// The version of the toolstack package, as XenServer 8 reports it in `software_version`
    /// (`xapi` = major.minor, `xapi_build` = major.minor.patch) and XVA exports carry
    /// (`xapi_major`, `xapi_minor`): XenServer 8 ships 24.x and 25.x.
    public var xapiVersion: (major: Int, minor: Int, patch: Int)
    /// Memory each host's control domain holds, which VMs cannot use.
    public var controlDomainMemory: Int64 = 4_294_967_296
    /// How long a host takes to come back after a reboot or power-on.
    public var hostBootTime: Duration = .seconds(30)

    public init(
        hostname: String, address: String, loginFailureDelay: Duration = .seconds(5), productVersion: String = "8.4.0",
        buildNumber: String = "release/swift-xapi/25.6.0/1", xapiVersion: (major: Int, minor: Int, patch: Int) = (25, 6, 0)
    ) {
        self.hostname = hostname
        self.address = address
        self.loginFailureDelay = loginFailureDelay
        self.productVersion = productVersion
        self.buildNumber = buildNumber
        self.xapiVersion = xapiVersion
    }
}
