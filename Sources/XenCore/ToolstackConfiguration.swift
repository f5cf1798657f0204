/// Facts about the host this toolstack runs on, and tunables with xapi's defaults.
public struct ToolstackConfiguration: Sendable {
    public var hostname: String
    /// The management address clients and members reach this host at.
    public var address: String
    /// How long a failed login waits before answering (xapi: 5 s, against brute force).
    public var loginFailureDelay: Duration
    public var productVersion: String
    public var buildNumber: String
    /// Host memory the simulated host reports, in bytes.
    public var memoryTotal: Int64
    public var cpuCount: Int

    public init(
        hostname: String, address: String, loginFailureDelay: Duration = .seconds(5), productVersion: String = "8.4.0",
        buildNumber: String = "swift-xapi", memoryTotal: Int64 = 68_719_476_736, cpuCount: Int = 8
    ) {
        self.hostname = hostname
        self.address = address
        self.loginFailureDelay = loginFailureDelay
        self.productVersion = productVersion
        self.buildNumber = buildNumber
        self.memoryTotal = memoryTotal
        self.cpuCount = cpuCount
    }
}
