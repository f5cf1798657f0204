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
    case saveDomain
    case restoreDomain
    case discardSavedImage
    /// Readies the destination's new domain to take the guest.
    case receiveMigration
    /// Sends the running guest to the readied domain; the sender's domain is left shut down.
    case sendMigration
    /// Renames the VM's domain to its departing name, so that a domain on the same host can take
    /// the VM's name (xenopsd's `VM_rename` before a migration to localhost).
    case setAside
}

/// Which host's hypervisor a step runs on, and on which domain: the VM's own, a migration's
/// destination, or the VM's own host's domain set aside under its departing name.
enum Site: Sendable, Hashable {
    case source
    case destination
    case departing

    /// The name a domain is set aside under while a new one on the same host takes its VM's.
    static func departingName(of vm: String) -> String { vm + "-departing" }
}

/// A VM operation as data: steps run one after another, or side by side. Tests assert on plans
/// without running them; `PlanExecution` runs them.
indirect enum Plan: Sendable, Hashable {
    case step(AtomicStep, on: Site = .source)
    case serial([Plan])
    case parallel([Plan])

    /// The steps in the order a serial run takes them (a parallel group's in listed order).
    var steps: [AtomicStep] {
        switch self {
        case .step(let step, _): [step]
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

    /// A suspended VM has no domain to destroy, only its saved image to forget.
    static func hardShutdown(suspended: Bool) -> Plan {
        .step(suspended ? .discardSavedImage : .destroyDomain)
    }

    static func cleanShutdown() -> Plan {
        .serial(askGuest(.poweroff) + [.step(.destroyDomain)])
    }

    /// The guest restarts itself: a new domain (and domain id) for the next boot.
    static func cleanReboot() -> Plan {
        .serial(askGuest(.reboot) + [.step(.destroyDomain), start(paused: false)])
    }

    static func hardReboot() -> Plan {
        .serial([.step(.destroyDomain), start(paused: false)])
    }

    static func suspend() -> Plan {
        .serial([.step(.saveDomain), .step(.destroyDomain)])
    }

    static func resume(paused: Bool) -> Plan {
        .serial([.step(.createDomain), .step(.restoreDomain)] + (paused ? [] : [.step(.unpauseDomain)]))
    }

    /// Asks the guest and waits for it to go down.
    private static func askGuest(_ reason: ShutdownReason) -> [Plan] {
        [.step(.requestShutdown(reason)), .step(.waitShutdown(timeout: cleanShutdownTimeout))]
    }

    /// A live migration (xenopsd's `VM_migrate`): a domain on the destination takes the guest's
    /// memory while it runs, starts there, and the source's domain goes.
    static func poolMigrate() -> Plan {
        .serial([
            .step(.createDomain, on: .destination), .step(.receiveMigration, on: .destination), .step(.sendMigration),
            .step(.unpauseDomain, on: .destination), .step(.destroyDomain),
        ])
    }

    /// A live migration to the host the VM is on (xapi's localhost migration): the running
    /// domain is set aside first, so that the receiving one can take the VM's name.
    static func localMigrate() -> Plan {
        .serial([
            .step(.setAside), .step(.createDomain, on: .destination), .step(.receiveMigration, on: .destination),
            .step(.sendMigration, on: .departing), .step(.unpauseDomain, on: .destination), .step(.destroyDomain, on: .departing),
        ])
    }

    static func pause() -> Plan { .step(.pauseDomain) }

    static func unpause() -> Plan { .step(.unpauseDomain) }
}
