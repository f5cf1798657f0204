import XenAPI

/// A rolling operation's options, read and checked once: the planner's policy, the time and
/// bandwidth it plans with, and how the engine treats failures and fixable prechecks.
struct RollingSettings: Sendable {
    /// What a member that keeps failing does to the run.
    enum FailurePolicy: String, Sendable {
        /// The run stops, the host marked failed (it can be retried or skipped).
        case stop
        /// The host is marked failed and the run carries on without it.
        case skip
    }

    var policy: RollingPlan.Policy
    /// Seconds one host's remediation takes (install, reboot, rejoin).
    var remediation: Double
    /// Bytes per second of each host's migration network.
    var bandwidth: Double
    /// Further attempts at a member whose operation failed.
    var retries: Int
    var onFailure: FailurePolicy
    /// Whether the engine may disable HA and WLB for the run and eject CDs that stop VMs moving.
    var autoFix: Bool
    /// Upgrade: where the new release is.
    var source: String?
    /// Update: the update hash the admin reviewed.
    var hash: String
    /// Update: also act on recommended guidance (a host reboot the update recommends).
    var recommendedGuidance: Bool

    init(_ options: [String: String], kind: RollingOperationKind, services: CoreServices) throws(XenAPIError) {
        let unavailable = options["max_unavailable"] ?? "0"
        guard let maxUnavailable = Int(unavailable), maxUnavailable >= 0 else {
            throw XenAPIError.invalidValue(field: "max_unavailable", value: unavailable)
        }
        let headroom = try Self.number(options, "headroom_percent", default: 10)
        guard headroom < 100 else { throw XenAPIError.invalidValue(field: "headroom_percent", value: options["headroom_percent"] ?? "") }
        policy = RollingPlan.Policy(
            maxUnavailable: maxUnavailable, headroomPercent: headroom, moveOnce: try Self.flag(options, "move_once"))
        let bootTime = Double(services.configuration.hostBootTime.components.seconds)
        remediation = try Self.number(options, "remediation_seconds", default: kind == .upgrade ? 3 * bootTime : bootTime)
        bandwidth = try Self.number(options, "bandwidth", default: 1e9)
        guard bandwidth > 0 else { throw XenAPIError.invalidValue(field: "bandwidth", value: options["bandwidth"] ?? "") }
        let retryText = options["retries"] ?? "2"
        guard let retries = Int(retryText), (0...10).contains(retries) else { throw XenAPIError.invalidValue(field: "retries", value: retryText) }
        self.retries = retries
        let failure = options["on_failure"] ?? "stop"
        guard let onFailure = FailurePolicy(rawValue: failure) else { throw XenAPIError.invalidValue(field: "on_failure", value: failure) }
        self.onFailure = onFailure
        autoFix = try Self.flag(options, "auto_fix")
        recommendedGuidance = try Self.flag(options, "recommended_guidance")
        source = options["source"]
        hash = options["hash"] ?? ""
    }

    private static func number(_ options: [String: String], _ name: String, default fallback: Double) throws(XenAPIError) -> Double {
        guard let text = options[name] else { return fallback }
        guard let value = Double(text), value >= 0, value.isFinite else { throw XenAPIError.invalidValue(field: name, value: text) }
        return value
    }

    private static func flag(_ options: [String: String], _ name: String) throws(XenAPIError) -> Bool {
        switch options[name]?.lowercased() {
        case nil, "false", "no", "0": false
        case "true", "yes", "1": true
        case let other?: throw XenAPIError.invalidValue(field: name, value: other)
        }
    }
}
