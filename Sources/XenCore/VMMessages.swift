import XenAPI
import XenBackend
import XenDB

/// `VM.*` power operations: each checked against the VM's state, locked in `current_operations`,
/// planned as atomic steps, run on the hypervisor, and recorded with `allowed_operations` kept true.
struct VMMessages: VMActions {
    let services: CoreServices

    func start(_ context: CallContext, vm: Ref<VM>, startPaused: Bool, force: Bool) async throws {
        try await operate(context, vm, .start, target: .boot(on: nil)) { record, host in
            try InstallRepository.check(record, ref: vm)
            return try await boot(vm, record, on: host, VMPlans.start(paused: startPaused), paused: startPaused)
        }
    }

    func startOn(_ context: CallContext, vm: Ref<VM>, host: Ref<Host>, startPaused: Bool, force: Bool) async throws {
        try await operate(context, vm, .startOn, target: .boot(on: host)) { record, host in
            try InstallRepository.check(record, ref: vm)
            return try await boot(vm, record, on: host, VMPlans.start(paused: startPaused), paused: startPaused)
        }
    }

    func resume(_ context: CallContext, vm: Ref<VM>, startPaused: Bool, force: Bool) async throws {
        try await operate(context, vm, .resume, target: .boot(on: nil)) { record, host in
            try await resume(vm, record, on: host, paused: startPaused)
        }
    }

    func resumeOn(_ context: CallContext, vm: Ref<VM>, host: Ref<Host>, startPaused: Bool, force: Bool) async throws {
        try await operate(context, vm, .resumeOn, target: .boot(on: host)) { record, host in
            try await resume(vm, record, on: host, paused: startPaused)
        }
    }

    /// Loads the guest from its suspend VDI, which goes once the guest is back.
    private func resume(
        _ vm: Ref<VM>, _ record: VM, on host: Ref<Host>, paused: Bool
    ) async throws(XenAPIError) -> (inout Transaction) throws(XenAPIError) -> Void {
        let images = SuspendImages(services: services)
        let change = try await boot(vm, record, on: host, VMPlans.resume(paused: paused), paused: paused, image: images.image(of: record))
        await images.remove(of: vm)
        return change
    }

    func cleanReboot(_ context: CallContext, vm: Ref<VM>) async throws {
        try await operate(context, vm, .cleanReboot) { record, host in
            try await boot(vm, record, on: host, VMPlans.cleanReboot(), paused: false)
        }
    }

    func hardReboot(_ context: CallContext, vm: Ref<VM>) async throws {
        try await operate(context, vm, .hardReboot) { record, host in
            try await boot(vm, record, on: host, VMPlans.hardReboot(), paused: false)
        }
    }

    /// A live migration: the guest's memory is copied to a domain made for it on the destination
    /// while it runs; to the host it runs on, into a new domain beside its own (xapi's localhost
    /// migration).
    func poolMigrate(_ context: CallContext, vm: Ref<VM>, host: Ref<Host>, options: [String: String]) async throws {
        let snapshot = services.database.snapshot
        _ = try snapshot.require(host)
        try await operate(context, vm, .poolMigrate, target: .migrate(to: host)) { record, destination in
            let spec = domainSpec(record)
            let snapshot = services.database.snapshot
            let execution = PlanExecution(
                hypervisor: try services.hypervisor(of: record.residentOn, in: snapshot), vm: vm, spec: spec,
                destination: try services.hypervisor(of: destination, in: snapshot))
            // To the host it is on, the guest still moves: into a new domain beside its own.
            let local = record.residentOn == destination
            let outcome = try await execution.run(local ? VMPlans.localMigrate() : VMPlans.poolMigrate())
            let guest = await execution.destination?.stat(spec.vm)?.guest
            let (now, guestMetrics) = (services.now(), services.makeRef(VMGuestMetrics.self))
            let metricsUUID = services.environment.makeUUID()
            return { tx throws(XenAPIError) in
                try GuestMetricsRecording.record(guest, of: vm, metricsRef: guestMetrics, uuid: metricsUUID, at: now, in: &tx)
                try tx.update(vm) { vm in
                    vm.domid = outcome.domid ?? -1
                    vm.residentOn = destination
                    vm.scheduledToBeResidentOn = .null
                }
                if tx.snapshot.contains(record.metrics) { try tx.set(record.metrics, \.memoryActual, spec.memory) }
            }
        }
    }

    func assertCanBootHere(_ context: CallContext, object vm: Ref<VM>, host: Ref<Host>) async throws {
        let snapshot = services.database.snapshot
        let record = try snapshot.require(vm)
        let free = Placement.freeMemory(in: snapshot)
        let alreadyThere = record.residentOn == host && record.powerState != .halted
        try Placement.assertCanBoot(record, on: host, free: free[host], in: snapshot, checkingMemory: !alreadyThere)
    }

    func hardShutdown(_ context: CallContext, vm: Ref<VM>) async throws {
        try await operate(context, vm, .hardShutdown) { record, host in
            let plan = VMPlans.hardShutdown(suspended: record.powerState == .suspended)
            _ = try await execution(vm, domainSpec(record), on: host).run(plan)
            await SuspendImages(services: services).remove(of: vm)
            return stopped(vm, .halted)
        }
    }

    func cleanShutdown(_ context: CallContext, vm: Ref<VM>) async throws {
        try await operate(context, vm, .cleanShutdown) { record, host in
            _ = try await execution(vm, domainSpec(record), on: host).run(VMPlans.cleanShutdown())
            return stopped(vm, .halted)
        }
    }

    /// The errors of a guest that cannot or did not shut down when asked.
    private static let guestDidNotComply: Set<String> = [
        XenAPIError.vmMissingPVDrivers(vm: "").code, XenAPIError.vmShutdownTimeout(vm: "", timeout: "").code,
    ]

    /// Clean when the guest can hear the request, hard otherwise (or when it does not comply in time).
    func shutdown(_ context: CallContext, vm: Ref<VM>) async throws {
        try await operate(context, vm, .shutdown) { record, host in
            let execution = try execution(vm, domainSpec(record), on: host)
            if record.powerState == .running {
                do throws(XenAPIError) {
                    _ = try await execution.run(VMPlans.cleanShutdown())
                    return stopped(vm, .halted)
                } catch where Self.guestDidNotComply.contains(error.code) {
                    // Fall through to the hard way.
                }
            }
            _ = try await execution.run(VMPlans.hardShutdown(suspended: record.powerState == .suspended))
            await SuspendImages(services: services).remove(of: vm)
            return stopped(vm, .halted)
        }
    }

    /// As xapi: the guest goes into a new suspend VDI, removed again if the suspend fails
    /// before the image is finished.
    func suspend(_ context: CallContext, vm: Ref<VM>) async throws {
        try await operate(context, vm, .suspend) { record, host in
            let images = SuspendImages(services: services)
            var execution = try execution(vm, domainSpec(record), on: host)
            execution.savedImage = try await images.make(for: vm, record, on: host)
            do throws(XenAPIError) {
                _ = try await execution.run(VMPlans.suspend())
            } catch {
                if await !execution.hypervisor.hasSavedImage(record.uuid) { await images.remove(of: vm) }
                throw error
            }
            return stopped(vm, .suspended)
        }
    }

    /// Runs a plan that ends with the VM's domain built (a start, resume or reboot) and returns
    /// the record change: running (or paused) on `host` with its new domain id. A boot that
    /// fails leaves no domain the VM did not already have.
    private func boot(
        _ vm: Ref<VM>, _ record: VM, on host: Ref<Host>, _ plan: Plan, paused: Bool, image: DiskImage? = nil
    ) async throws(XenAPIError) -> (inout Transaction) throws(XenAPIError) -> Void {
        let spec = domainSpec(record)
        var execution = try execution(vm, spec, on: host)
        execution.savedImage = image
        let outcome: PlanExecution.Outcome
        do throws(XenAPIError) {
            outcome = try await execution.run(plan)
        } catch {
            // A boot that failed part-way leaves no half-made domain (one the VM did not already
            // have); what is left is recorded by the reconciliation that follows every failure.
            if let stat = await execution.hypervisor.stat(spec.vm), stat.domid != record.domid {
                try? await execution.hypervisor.destroy(spec.vm)
            }
            throw error
        }
        let now = services.now()
        let guest = await execution.hypervisor.stat(spec.vm)?.guest
        let (guestMetrics, metricsUUID) = (services.makeRef(VMGuestMetrics.self), services.environment.makeUUID())
        return { tx throws(XenAPIError) in
            try GuestMetricsRecording.record(guest, of: vm, metricsRef: guestMetrics, uuid: metricsUUID, at: now, in: &tx)
            try tx.update(vm) { vm in
                vm.powerState = paused ? .paused : .running
                vm.domid = outcome.domid ?? -1
                vm.residentOn = host
                vm.scheduledToBeResidentOn = .null
            }
            try Self.setDevicesAttached(true, of: vm, in: &tx)
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
        try await operate(context, vm, .pause) { record, host in
            _ = try await execution(vm, domainSpec(record), on: host).run(VMPlans.pause())
            return { tx throws(XenAPIError) in try tx.set(vm, \.powerState, .paused) }
        }
    }

    func unpause(_ context: CallContext, vm: Ref<VM>) async throws {
        try await operate(context, vm, .unpause) { record, host in
            let execution = try execution(vm, domainSpec(record), on: host)
            _ = try await execution.run(VMPlans.unpause())
            let guest = await execution.hypervisor.stat(record.uuid)?.guest
            let (now, guestMetrics) = (services.now(), services.makeRef(VMGuestMetrics.self))
            let metricsUUID = services.environment.makeUUID()
            return { tx throws(XenAPIError) in
                try GuestMetricsRecording.record(guest, of: vm, metricsRef: guestMetrics, uuid: metricsUUID, at: now, in: &tx)
                try tx.set(vm, \.powerState, .running)
            }
        }
    }

    func destroy(_ context: CallContext, object: Ref<VM>) async throws {
        let record = try services.database.snapshot.require(object).record
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let vm = try tx.snapshot.require(object)
            try VMPowerRules.check(vm, .destroy, in: tx.snapshot)
            // Like xapi: the VM's interfaces, drives and metrics go with it; its disks stay.
            for vif in vm.vifs where tx.snapshot.contains(vif) { try tx.delete(vif) }
            for vbd in vm.vbds where tx.snapshot.contains(vbd) { try tx.delete(vbd) }
            if tx.snapshot.contains(vm.guestMetrics) { try tx.delete(vm.guestMetrics) }
            try tx.delete(object)
            if tx.snapshot.contains(vm.metrics) { try tx.delete(vm.metrics) }
        }
        // Like xapi: a suspended VM's image goes with it.
        guard record.powerState == .suspended else { return }
        for machine in services.machines { try? await machine.hypervisor.discardSavedImage(record.uuid) }
        if services.database.snapshot.contains(record.suspendVDI) { try? await VDIMessages(services: services).destroyOwn(record.suspendVDI) }
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
                vm.scheduledToBeResidentOn = .null
            }
            try Self.setDevicesAttached(false, of: vm, in: &tx)
        }
    }

    /// The domain a VM's record asks for: its memory, VCPUs, and every interface and drive. The
    /// simulated guest runs an agent unless the VM says otherwise
    /// (`other_config:simulated-guest-agent=false`).
    private func domainSpec(_ record: VM) -> DomainSpec {
        let snapshot = services.database.snapshot
        var macs: [Int: String] = [:]
        var networks: [Int: NetworkLink] = [:]
        for vif in record.vifs {
            guard let interface = snapshot[vif], let device = Int(interface.device) else { continue }
            macs[device] = interface.mac
            networks[device] = NetworkLink(interface.network, in: snapshot)
        }
        let nics = macs.keys.sorted()
        var disks: [Int] = []
        var media: [Int: String?] = [:]
        var images: [Int: DiskImage] = [:]
        for vbd in record.vbds {
            guard let drive = snapshot[vbd], let slot = Int(drive.userdevice) else { continue }
            if drive.type == .cd {
                media[slot] = .some(drive.empty ? nil : services.mediaFile(of: drive.vdi, in: snapshot))
            } else {
                disks.append(slot)
                images[slot] = services.diskImage(of: drive.vdi, readOnly: drive.mode == .ro, in: snapshot)
            }
        }
        return DomainSpec(
            vm: record.uuid, name: record.nameLabel, memory: record.memoryDynamicMax + record.memoryOverhead,
            vcpus: record.vcpusAtStartup, hvm: !record.hvmBootPolicy.isEmpty,
            guestAgent: record.otherConfig["simulated-guest-agent"] != "false", nics: nics, disks: disks.sorted(),
            media: media, boot: Self.boot(of: record), macs: macs, diskImages: images, networks: networks,
            maxMemory: max(record.memoryStaticMax, record.memoryDynamicMax) + record.memoryOverhead,
            maxVCPUs: max(record.vcpusMax, record.vcpusAtStartup))
    }

    /// How the VM boots: the kernel its PV fields name (loaded directly, as for a Xen PV guest),
    /// else the firmware in its `HVM_boot_params:order` (disk first when it names none).
    static func boot(of record: VM) -> DomainBoot {
        if !record.pvKernel.isEmpty {
            return .direct(
                kernel: record.pvKernel, ramdisk: record.pvRamdisk.isEmpty ? nil : record.pvRamdisk, arguments: record.pvArgs)
        }
        return .firmware(order: record.hvmBootParams["order"] ?? "cd")
    }

    /// Marks every interface and drive of the VM plugged in (it booted) or out (it stopped).
    static func setDevicesAttached(_ attached: Bool, of vm: Ref<VM>, in tx: inout Transaction) throws(XenAPIError) {
        let record = try tx.snapshot.require(vm)
        for vif in record.vifs where tx.snapshot[vif]?.currentlyAttached == !attached { try tx.set(vif, \.currentlyAttached, attached) }
        for vbd in record.vbds where tx.snapshot[vbd]?.currentlyAttached == !attached { try tx.set(vbd, \.currentlyAttached, attached) }
    }

    /// The plan's runner on `host`'s hypervisor.
    private func execution(_ vm: Ref<VM>, _ spec: DomainSpec, on host: Ref<Host>) throws(XenAPIError) -> PlanExecution {
        PlanExecution(hypervisor: try services.hypervisor(of: host, in: services.database.snapshot), vm: vm, spec: spec)
    }

    /// Where an operation runs.
    enum Target {
        /// On the host the VM is resident on (for a VM without one, the coordinator, whose
        /// hypervisor reaches the pool's suspend images).
        case resident
        /// On the given host, or one placement chooses; reserved for the VM until it is done.
        case boot(on: Ref<Host>?)
        /// From the host the VM is resident on to the given one, reserved for it until it is done.
        case migrate(to: Ref<Host>)
    }

    /// Checks `operation`, chooses its host and takes the VM's operation lock in one write (so
    /// the memory a host gives the VM is reserved in the same commit that decided it), runs
    /// `body` on that host (it returns the record changes to make), then records them and
    /// releases the lock in one more; a failure releases the lock and records what the
    /// hypervisors have.
    func operate(
        _ context: CallContext, _ vm: Ref<VM>, _ operation: VMOperations, target: Target = .resident,
        _ body: (VM, Ref<Host>) async throws -> (inout Transaction) throws(XenAPIError) -> Void
    ) async throws(XenAPIError) {
        let lock = context.task?.rawValue ?? services.makeOpaqueRef()
        let (record, host) = try await services.database.write {
            (tx: inout Transaction) throws(XenAPIError) -> (VM, Ref<Host>) in
            let view = try tx.snapshot.require(vm)
            try VMPowerRules.check(view, operation, in: tx.snapshot)
            let host = try Self.host(
                for: view, target, in: tx.snapshot, coordinator: services.localHost(tx.snapshot), at: services.now())
            try tx.update(vm) { record in
                record.currentOperations[lock] = operation
                if case .resident = target {} else { record.scheduledToBeResidentOn = host }
            }
            try Self.refreshAllowedOperations(&tx, vm)
            return (try tx.snapshot.require(vm).record, host)
        }
        // What the guest wrote lands in its disks before it stops, moves or restarts.
        await GuestDiskWrites.apply(record, services: services)
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
        // Whatever happened, the hosts' free memory may have changed.
        let touched = Set([host, record.residentOn].filter { !$0.isNull })
        var facts: [(Ref<Host>, Int64)] = []
        for host in touched.sorted(by: { $0.rawValue < $1.rawValue }) {
            if let free = try? await services.hostFacts(of: host).freeMemory { facts.append((host, free)) }
        }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for (host, free) in facts {
                if let metrics = tx.snapshot[host]?.metrics, tx.snapshot.contains(metrics) {
                    try tx.set(metrics, \.memoryFree, free)
                }
            }
            guard tx.snapshot.contains(vm) else { return }
            switch outcome {
            case .success(let change):
                try change(&tx)
                try PendingGuidance.vmOperationDone(operation, vm: vm, in: &tx)
            case .failure:
                if let observation { try Reconciliation.record(observation, vm: vm, clearingLocks: false, in: &tx) }
            }
            try tx.update(vm) { record in
                record.currentOperations[lock] = nil
                record.scheduledToBeResidentOn = .null
            }
            try Self.refreshAllowedOperations(&tx, vm)
        }
        if case .failure(let error) = outcome { throw error }
    }

    /// The host an operation runs on, checked (and for a boot, chosen) over the snapshot; a boot
    /// goes to no host whose licence has expired.
    private static func host(
        for vm: ObjectView<VM>, _ target: Target, in snapshot: Snapshot, coordinator: Ref<Host>, at now: DateTime
    ) throws(XenAPIError) -> Ref<Host> {
        switch target {
        case .resident:
            return vm.residentOn.isNull ? coordinator : vm.residentOn
        case .boot(on: nil):
            let expired = Set(snapshot.objects(Host.self).filter { Licensing.hasExpired($0, at: now) }.map(\.ref))
            // During a rolling upgrade only the newest hosts take VMs that start.
            let older =
                RollingUpgrade.inProgress(snapshot)
                ? Set(snapshot.refs(Host.self)).subtracting(RollingUpgrade.newestHosts(snapshot)) : []
            do {
                return try Placement.chooseHost(for: vm, in: snapshot, excluding: expired.union(older))
            } catch where error.code == "NO_HOSTS_AVAILABLE" && !expired.isEmpty {
                throw XenAPIError.licenceRestriction(feature: "Start")
            }
        case .boot(on: let host?):
            if let record = snapshot[host], Licensing.hasExpired(record, at: now) {
                throw XenAPIError.licenceRestriction(feature: "Start")
            }
            try RollingUpgrade.assertCanStart(on: host, in: snapshot)
            try Placement.assertCanBoot(vm, on: host, free: Placement.freeMemory(in: snapshot)[host], in: snapshot)
            return host
        case .migrate(to: let host):
            try RollingUpgrade.assertCanMigrate(from: vm.residentOn, to: host, in: snapshot)
            try Placement.assertCanBoot(vm, on: host, free: Placement.freeMemory(in: snapshot)[host], in: snapshot)
            return host
        }
    }

    /// Sets `allowed_operations` from the VM's state as it now stands in the transaction.
    static func refreshAllowedOperations(_ tx: inout Transaction, _ vm: Ref<VM>) throws(XenAPIError) {
        let record = try tx.snapshot.require(vm)
        let allowed = VMPowerRules.allowedOperations(record, in: tx.snapshot)
        try tx.set(vm, \.allowedOperations, allowed)
        // Its disks: one a running VM has may not be destroyed or resized offline.
        for vbd in record.vbds { if let vdi = tx.snapshot[vbd]?.vdi { try StorageRules.refresh(vdi, in: &tx) } }
    }
}
