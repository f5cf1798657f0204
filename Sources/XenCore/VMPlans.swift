import XenBackend

/// One step of a VM operation against the hypervisor (xenopsd's atomic operations).
enum AtomicStep: Sendable, Hashable {
    case createDomain
    case buildDomain
    case pauseDomain
    case unpauseDomain
    case requestShutdown(ShutdownReason)
    case waitShutdown(timeout: Duration)
    case destroyDomain
}

/// A VM operation as data: steps run one after another, or side by side. Tests assert on plans
/// without running them; `PlanExecution` runs them.
indirect enum Plan: Sendable, Hashable {
    case step(AtomicStep)
    case serial([Plan])
    case parallel([Plan])

    /// The steps in the order a serial run takes them (a parallel group's in listed order).
    var steps: [AtomicStep] {
        switch self {
        case .step(let step): [step]
        case .serial(let plans), .parallel(let plans): plans.flatMap(\.steps)
        }
    }
}

/// How each VM operation decomposes into steps (xenopsd's `atomics_of_operation`).
enum VMPlans {
    /// How long a guest may take to shut down when asked (xapi's default clean-shutdown timeout).
    static let cleanShutdownTimeout: Duration = .seconds(1200)

    static func start(paused: Bool) -> Plan {
        .serial([.step(.createDomain), .step(.buildDomain)] + (paused ? [] : [.step(.unpauseDomain)]))
    }

    /// A suspended VM has no domain to destroy.
    static func hardShutdown(domainExists: Bool) -> Plan {
        .serial(domainExists ? [.step(.destroyDomain)] : [])
    }

    static func cleanShutdown() -> Plan {
        .serial([
            .step(.requestShutdown(.poweroff)), .step(.waitShutdown(timeout: cleanShutdownTimeout)),
            .step(.destroyDomain),
        ])
    }

    static func pause() -> Plan { .step(.pauseDomain) }

    static func unpause() -> Plan { .step(.unpauseDomain) }
}
