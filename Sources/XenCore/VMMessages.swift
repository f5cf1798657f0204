import XenAPI
import XenBackend
import XenDB

/// `VM.*` power operations: each checked against the VM's state, locked in `current_operations`,
/// planned as atomic steps, run on the hypervisor, and recorded with `allowed_operations` kept true.
struct VMMessages: VMActions {
    let services: CoreServices

    func start(_ context: CallContext, vm: Ref<VM>, startPaused: Bool, force: Bool) async throws {
        try await operate(context, vm, .start) { record, host in
            try await boot(vm, record, on: host, VMPlans.start(paused: startPaused), paused: startPaused, fresh: true)
        }
    }

    func resume(_ context: CallContext, vm: Ref<VM>, startPaused: Bool, force: Bool) async throws {
        try await operate(context, vm, .resume) { record, host in
            try await boot(vm, record, on: host, VMPlans.resume(paused: startPaused), paused: startPaused, fresh: true)
        }
    }

    func cleanReboot(_ context: CallContext, vm: Ref<VM>) async throws {
        try await operate(context, vm, .cleanReboot) { record, host in
            try await boot(vm, record, on: host, VMPlans.cleanReboot(), paused: false, fresh: false)
        }
    }

    func hardReboot(_ context: CallContext, vm: Ref<VM>) async throws {
        try await operate(context, vm, .hardReboot) { record, host in
            try await boot(vm, record, on: host, VMPlans.hardReboot(), paused: false, fresh: false)
        }
    }

    func hardShutdown(_ context: CallContext, vm: Ref<VM>) async throws {
        try await operate(context, vm, .hardShutdown) { record, _ in
            let plan = VMPlans.hardShutdown(suspended: record.powerState == .suspended)
            _ = try await execution(vm, domainSpec(record)).run(plan)
            return stopped(vm, .halted)
        }
    }

    func cleanShutdown(_ context: CallContext, vm: Ref<VM>) async throws {
        try await operate(context, vm, .cleanShutdown) { record, _ in
            _ = try await execution(vm, domainSpec(record)).run(VMPlans.cleanShutdown())
            return stopped(vm, .halted)
        }
    }

    /// The errors of a guest that cannot or did not shut down when asked.
    private static let guestDidNotComply: Set<String> = [
        XenAPIError.vmMissingPVDrivers(vm: "").code, XenAPIError.vmShutdownTimeout(vm: "", timeout: "").code,
    ]

    /// Clean when the guest can hear the request, hard otherwise (or when it does not comply in time).
    func shutdown(_ context: CallContext, vm: Ref<VM>) async throws {
        try await operate(context, vm, .shutdown) { record, _ in
            let execution = execution(vm, domainSpec(record))
            if record.powerState == .running {
                do throws(XenAPIError) {
                    _ = try await execution.run(VMPlans.cleanShutdown())
                    return stopped(vm, .halted)
                } catch where Self.guestDidNotComply.contains(error.code) {
                    // Fall through to the hard way.
                }
            }
            _ = try await execution.run(VMPlans.hardShutdown(suspended: record.powerState == .suspended))
            return stopped(vm, .halted)
        }
    }

    func suspend(_ context: CallContext, vm: Ref<VM>) async throws {
        try await operate(context, vm, .suspend) { record, _ in
            _ = try await execution(vm, domainSpec(record)).run(VMPlans.suspend())
            return stopped(vm, .suspended)
        }
    }

    /// Runs a plan that ends with the VM's domain built (a start, resume or reboot) and returns
    /// the record change: running (or paused) on `host` with its new domain id. A `fresh` boot
    /// (the VM had no domain) checks memory first and leaves no domain behind if it fails.
    private func boot(
        _ vm: Ref<VM>, _ record: VM, on host: Ref<Host>, _ plan: Plan, paused: Bool, fresh: Bool
    ) async throws(XenAPIError) -> (inout Transaction) throws(XenAPIError) -> Void {
        let spec = domainSpec(record)
        if fresh {
            guard services.database.snapshot[host]?.enabled == true else {
                throw XenAPIError.hostDisabled(host: host.rawValue)
            }
            let facts = try await services.hostFacts()
            guard spec.memory <= facts.freeMemory else {
                throw XenAPIError.hostNotEnoughFreeMemory(needed: String(spec.memory), available: String(facts.freeMemory))
            }
        }
        let outcome: PlanExecution.Outcome
        do throws(XenAPIError) {
            outcome = try await execution(vm, spec).run(plan)
        } catch {
            // A boot that failed part-way leaves no half-made domain (one the VM did not already
            // have); what is left is recorded by the reconciliation that follows every failure.
            if let stat = await services.hypervisor.stat(spec.vm), stat.domid != record.domid {
                try? await services.hypervisor.destroy(spec.vm)
            }
            throw error
        }
        let now = services.now()
        let guest = await services.hypervisor.stat(spec.vm)?.guest
        let (guestMetrics, metricsUUID) = (services.makeRef(VMGuestMetrics.self), services.environment.makeUUID())
        return { tx throws(XenAPIError) in
            try GuestMetricsRecording.record(guest, of: vm, metricsRef: guestMetrics, uuid: metricsUUID, at: now, in: &tx)
            try tx.update(vm) { vm in
                vm.powerState = paused ? .paused : .running
                vm.domid = outcome.domid ?? -1
                vm.residentOn = host
                vm.scheduledToBeResidentOn = .null
            }
            if tx.snapshot.contains(record.metrics) {
                try tx.update(record.metrics) { metrics in
                    metrics.startTime = now
                    metrics.memoryActual = spec.memory
                    metrics.vcpusNumber = spec.vcpus
                    metrics.lastUpdated = now
                }
            }
        }
    }

    func pause(_ context: CallContext, vm: Ref<VM>) async throws {
        try await operate(context, vm, .pause) { record, _ in
            _ = try await execution(vm, domainSpec(record)).run(VMPlans.pause())
            return { tx throws(XenAPIError) in try tx.set(vm, \.powerState, .paused) }
        }
    }

    func unpause(_ context: CallContext, vm: Ref<VM>) async throws {
        try await operate(context, vm, .unpause) { record, _ in
            _ = try await execution(vm, domainSpec(record)).run(VMPlans.unpause())
            let guest = await services.hypervisor.stat(record.uuid)?.guest
            let (now, guestMetrics) = (services.now(), services.makeRef(VMGuestMetrics.self))
            let metricsUUID = services.environment.makeUUID()
            return { tx throws(XenAPIError) in
                try GuestMetricsRecording.record(guest, of: vm, metricsRef: guestMetrics, uuid: metricsUUID, at: now, in: &tx)
                try tx.set(vm, \.powerState, .running)
            }
        }
    }

    func destroy(_ context: CallContext, object: Ref<VM>) async throws {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let vm = try tx.snapshot.require(object)
            try VMPowerRules.check(vm, .destroy)
            try tx.delete(object)
            if tx.snapshot.contains(vm.metrics) { try tx.delete(vm.metrics) }
        }
    }

    /// The record change that leaves a VM without a domain: halted, or suspended, with no guest
    /// agent to report.
    private func stopped(_ vm: Ref<VM>, _ state: VMPowerState) -> (inout Transaction) throws(XenAPIError) -> Void {
        { tx throws(XenAPIError) in
            try GuestMetricsRecording.remove(of: vm, in: &tx)
            try tx.update(vm) { vm in
                vm.powerState = state
                vm.domid = -1
                vm.residentOn = .null
            }
        }
    }

    /// The domain a VM's record asks for. The simulated guest runs an agent unless the VM says
    /// otherwise (`other_config:simulated-guest-agent=false`).
    private func domainSpec(_ record: VM) -> DomainSpec {
        let snapshot = services.database.snapshot
        let nics = record.vifs.compactMap { snapshot[$0].flatMap { Int($0.device) } }.sorted()
        return DomainSpec(
            vm: record.uuid, name: record.nameLabel, memory: record.memoryStaticMax + record.memoryOverhead,
            vcpus: record.vcpusAtStartup, hvm: !record.hvmBootPolicy.isEmpty,
            guestAgent: record.otherConfig["simulated-guest-agent"] != "false", nics: nics)
    }

    private func execution(_ vm: Ref<VM>, _ spec: DomainSpec) -> PlanExecution {
        PlanExecution(hypervisor: services.hypervisor, vm: vm, spec: spec)
    }

    /// Checks `operation` and takes the VM's operation lock in one write, runs `body` (which
    /// returns the record changes to make), then records them and releases the lock in one more;
    /// a failure releases the lock and changes nothing else.
    private func operate(
        _ context: CallContext, _ vm: Ref<VM>, _ operation: VMOperations,
        _ body: (VM, Ref<Host>) async throws -> (inout Transaction) throws(XenAPIError) -> Void
    ) async throws(XenAPIError) {
        let lock = context.task?.rawValue ?? services.makeOpaqueRef()
        let (record, host) = try await services.database.write {
            (tx: inout Transaction) throws(XenAPIError) -> (VM, Ref<Host>) in
            try VMPowerRules.check(try tx.snapshot.require(vm), operation)
            try tx.update(vm) { $0.currentOperations[lock] = operation }
            try Self.refreshAllowedOperations(&tx, vm)
            return (try tx.snapshot.require(vm).record, services.localHost(tx.snapshot))
        }
        var outcome: Result<(inout Transaction) throws(XenAPIError) -> Void, XenAPIError>
        do {
            outcome = .success(try await body(record, host))
        } catch let error as XenAPIError {
            outcome = .failure(error)
        } catch {
            outcome = .failure(XenAPIError.internalError(message: "\(error)"))
        }
        // A failure may have left the VM anywhere between its old state and the new one: look.
        var observation: Reconciliation.Observation?
        if case .failure = outcome { observation = await Reconciliation.observe(services, uuid: record.uuid) }
        // Whatever happened, the host's free memory may have changed.
        let facts = try? await services.hostFacts()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            if let facts, let metrics = tx.snapshot[host]?.metrics, tx.snapshot.contains(metrics) {
                try tx.set(metrics, \.memoryFree, facts.freeMemory)
            }
            guard tx.snapshot.contains(vm) else { return }
            switch outcome {
            case .success(let change): try change(&tx)
            case .failure:
                if let observation {
                    try Reconciliation.record(observation, vm: vm, host: host, clearingLocks: false, in: &tx)
                }
            }
            try tx.update(vm) { $0.currentOperations[lock] = nil }
            try Self.refreshAllowedOperations(&tx, vm)
        }
        if case .failure(let error) = outcome { throw error }
    }

    /// Sets `allowed_operations` from the VM's state as it now stands in the transaction.
    static func refreshAllowedOperations(_ tx: inout Transaction, _ vm: Ref<VM>) throws(XenAPIError) {
        let allowed = VMPowerRules.allowedOperations(try tx.snapshot.require(vm))
        try tx.set(vm, \.allowedOperations, allowed)
    }
}
