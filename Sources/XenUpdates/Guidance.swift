/// A task an update asks for (`Guidance.t` in xapi's `updateinfo.ml`), in xapi's order: lists
/// of guidance are always written in this order.
public enum Guidance: String, Sendable, Hashable, CaseIterable, Comparable {
    case rebootHost = "RebootHost"
    case restartToolstack = "RestartToolstack"
    case evacuateHost = "EvacuateHost"
    case restartDeviceModel = "RestartDeviceModel"
    case rebootHostOnLivePatchFailure = "RebootHostOnLivePatchFailure"
    case rebootHostOnKernelLivePatchFailure = "RebootHostOnKernelLivePatchFailure"
    case rebootHostOnXenLivePatchFailure = "RebootHostOnXenLivePatchFailure"
    case restartVM = "RestartVM"

    /// A `<value>` of updateinfo: a value this toolstack does not know is `RebootHost`, the safe
    /// choice, as xapi reads it.
    public init(value: String) {
        self = Guidance(rawValue: value) ?? .rebootHost
    }

    public static func < (a: Guidance, b: Guidance) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The value stored in `pending_guidances` (the datamodel's `update_guidances`), for the
    /// host-level and VM-level tasks; `EvacuateHost` is never stored.
    public var pendingValue: String? {
        switch self {
        case .rebootHost: "reboot_host"
        case .restartToolstack: "restart_toolstack"
        case .evacuateHost: nil
        case .restartDeviceModel: "restart_device_model"
        case .rebootHostOnLivePatchFailure: "reboot_host_on_livepatch_failure"
        case .rebootHostOnKernelLivePatchFailure: "reboot_host_on_kernel_livepatch_failure"
        case .rebootHostOnXenLivePatchFailure: "reboot_host_on_xen_livepatch_failure"
        case .restartVM: "restart_vm"
        }
    }
}

/// The kinds of guidance an update carries.
public enum GuidanceKind: String, Sendable, Hashable, CaseIterable {
    /// Must be done, or things may break; a host with it pending takes no other update.
    case mandatory
    /// Needed for the update to take effect.
    case recommended
    /// Needed for full effectiveness.
    case full
    /// What to do instead of the recommended tasks when the update's livepatch is applied.
    case livepatch

    /// The three kinds reported per host, strongest first.
    public static let reported: [GuidanceKind] = [.mandatory, .recommended, .full]
}

/// A set of guidance with xapi's reductions (`GuidanceSet` in `repository_helpers.ml`).
public enum GuidanceReduction {
    /// A task that makes others needless: rebooting the host restarts the toolstack, evacuates
    /// it and restarts device models; evacuating and restarting a VM restart device models.
    static let precedences: [(Guidance, Set<Guidance>)] = [
        (.rebootHost, [.restartToolstack, .evacuateHost, .restartDeviceModel]),
        (.evacuateHost, [.restartDeviceModel]),
        (.restartVM, [.restartDeviceModel]),
    ]

    /// `set` without the tasks a stronger one in it already implies.
    public static func reduce(_ set: Set<Guidance>) -> Set<Guidance> {
        precedences.reduce(set) { result, rule in result.contains(rule.0) ? result.subtracting(rule.1) : result }
    }

    /// Each kind's set without what the stronger kinds before it already hold or imply:
    /// `recommended := reduce(mandatory ∪ recommended) − mandatory`, and so on.
    public static func cascade(_ sets: [Set<Guidance>]) -> [Set<Guidance>] {
        var stronger: Set<Guidance> = []
        return sets.map { set in
            let reduced = reduce(stronger.union(set)).subtracting(stronger)
            stronger.formUnion(set)
            return reduced
        }
    }
}
