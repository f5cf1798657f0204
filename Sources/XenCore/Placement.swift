import XenAPI
import XenDB

/// Where VMs can run, decided over a snapshot as xapi decides it (`assert_can_boot_here`,
/// `choose_host_for_vm`): memory is the chief constraint, accounted from the records so a
/// decision and its reservation (`scheduled_to_be_resident_on`) commit in one write.
enum Placement {
    /// The memory a VM's domain gets at boot: its dynamic maximum and its overhead.
    static func startMemory(of vm: ObjectView<VM>) -> Int64 {
        vm.memoryDynamicMax + vm.memoryOverhead
    }

    /// The memory a running VM's domain holds: what it booted with (`VM_metrics.memory_actual`),
    /// which later changes to its limits do not move.
    static func footprint(of vm: ObjectView<VM>, in snapshot: Snapshot) -> Int64 {
        let actual = snapshot[vm.metrics]?.memoryActual ?? 0
        return actual > 0 ? actual : startMemory(of: vm)
    }

    /// Each host's free memory: its total less its own overhead, its control domain, the VMs
    /// resident on it, and the VMs on their way to it (starting or migrating in).
    static func freeMemory(in snapshot: Snapshot) -> [Ref<Host>: Int64] {
        var free: [Ref<Host>: Int64] = [:]
        for host in snapshot.objects(Host.self) {
            free[host.ref] = (snapshot[host.metrics]?.memoryTotal ?? 0) - host.memoryOverhead
        }
        for vm in snapshot.objects(VM.self) {
            let resident = vm.residentOn, scheduled = vm.scheduledToBeResidentOn
            if !resident.isNull, vm.isControlDomain || vm.powerState == .running || vm.powerState == .paused {
                free[resident]? -= vm.isControlDomain ? vm.memoryStaticMax : footprint(of: vm, in: snapshot)
            }
            if !scheduled.isNull, scheduled != resident { free[scheduled]? -= startMemory(of: vm) }
        }
        return free
    }

    /// Refuses a host the VM cannot boot on, with xapi's error, in xapi's order: the host is
    /// live, enabled, sees the VM's storage and networks, and (`checkingMemory`) has `free`
    /// bytes enough.
    static func assertCanBoot(
        _ vm: ObjectView<VM>, on host: Ref<Host>, free: Int64?, in snapshot: Snapshot, checkingMemory: Bool = true
    ) throws(XenAPIError) {
        try assertAcceptsVMs(host, in: snapshot)
        try assertReaches(vm, from: host, in: snapshot)
        let needed = startMemory(of: vm), available = free ?? 0
        if checkingMemory, needed > available {
            throw XenAPIError.hostNotEnoughFreeMemory(needed: String(needed), available: String(available))
        }
    }

    /// Refuses a host that lacks what the VM's devices are on (xapi's `assert_can_see_SRs` and
    /// `assert_can_see_networks`): `VM_REQUIRES_SR [vm, sr]` for the first SR, of the disks and
    /// discs in its drives and (while it is suspended) of its suspend image, that the host has not
    /// plugged; `VM_REQUIRES_NETWORK [vm, network]` for the first network of its interfaces that
    /// has physical interfaces, none of them on the host.
    static func assertReaches(_ vm: ObjectView<VM>, from host: Ref<Host>, in snapshot: Snapshot) throws(XenAPIError) {
        var disks = vm.vbds.compactMap { snapshot[$0] }.filter { !$0.empty }.map(\.vdi)
        if vm.powerState == .suspended, !vm.suspendVDI.isNull { disks.append(vm.suspendVDI) }
        for vdi in disks {
            guard let sr = snapshot[vdi]?.sr, let repository = snapshot[sr] else { continue }
            let plugged = repository.pbds.contains { snapshot[$0].map { $0.host == host && $0.currentlyAttached } ?? false }
            guard plugged else { throw XenAPIError.vmRequiresSR(vm: vm.ref.rawValue, sr: sr.rawValue) }
        }
        for vif in vm.vifs {
            guard let network = snapshot[snapshot[vif]?.network ?? .null] else { continue }
            let interfaces = network.pifs.compactMap { snapshot[$0] }
            guard interfaces.isEmpty || interfaces.contains(where: { $0.host == host }) else {
                throw XenAPIError.vmRequiresNetwork(vm: vm.ref.rawValue, network: network.ref.rawValue)
            }
        }
    }

    /// Refuses a host that takes no new VMs: one not live, disabled, or being evacuated.
    static func assertAcceptsVMs(_ host: Ref<Host>, in snapshot: Snapshot) throws(XenAPIError) {
        let record = try snapshot.require(host)
        guard snapshot[record.metrics]?.live == true else { throw XenAPIError.hostNotLive() }
        guard record.enabled else { throw XenAPIError.hostDisabled(host: host.rawValue) }
        if record.currentOperations.values.contains(.evacuate) {
            throw XenAPIError.hostEvacuateInProgress(host: host.rawValue)
        }
    }

    /// The host a VM started without one goes to: its affinity host if it can boot there, else
    /// the host with most free memory that can (ties to the lower uuid, so the choice is
    /// deterministic and spreads load as xapi's memory-biased choice does). With no live,
    /// enabled host: `NO_HOSTS_AVAILABLE`; with none that has room, the memory error of the
    /// roomiest, as xapi reports it after retrying without the memory check.
    static func chooseHost(
        for vm: ObjectView<VM>, in snapshot: Snapshot, excluding excluded: Set<Ref<Host>> = []
    ) throws(XenAPIError) -> Ref<Host> {
        let free = freeMemory(in: snapshot)
        if !vm.affinity.isNull, snapshot.contains(vm.affinity), !excluded.contains(vm.affinity),
            (try? assertCanBoot(vm, on: vm.affinity, free: free[vm.affinity], in: snapshot)) != nil
        {
            return vm.affinity
        }
        let candidates = snapshot.objects(Host.self).filter {
            !excluded.contains($0.ref) && (try? assertCanBoot(vm, on: $0.ref, free: free[$0.ref], in: snapshot, checkingMemory: false)) != nil
        }
        // An anti-affinity group's VMs go where the group has the fewest; then the most free memory.
        let together = groupResidents(of: vm, in: snapshot)
        let ranked = candidates.sorted {
            (-(together[$0.ref] ?? 0), free[$0.ref] ?? 0, $1.uuid) > (-(together[$1.ref] ?? 0), free[$1.ref] ?? 0, $0.uuid)
        }
        guard let best = ranked.first else { throw XenAPIError.noHostsAvailable() }
        try assertCanBoot(vm, on: best.ref, free: free[best.ref], in: snapshot)
        return best.ref
    }

    /// How many VMs of the VM's anti-affinity group each host runs (or is about to); empty for a
    /// VM in no such group.
    static func groupResidents(of vm: ObjectView<VM>, in snapshot: Snapshot) -> [Ref<Host>: Int] {
        var count: [Ref<Host>: Int] = [:]
        guard let group = antiAffinityGroup(of: vm, in: snapshot) else { return count }
        for member in snapshot[group]?.vms ?? [] where member != vm.ref {
            guard let other = snapshot[member] else { continue }
            let host = other.powerState == .running || other.powerState == .paused ? other.residentOn : other.scheduledToBeResidentOn
            if !host.isNull { count[host, default: 0] += 1 }
        }
        return count
    }

    /// The VM's anti-affinity group, if it is in one (a VM is in one group at most).
    static func antiAffinityGroup(of vm: ObjectView<VM>, in snapshot: Snapshot) -> Ref<VMGroup>? {
        vm.groups.first { snapshot[$0]?.placement == .antiAffinity }
    }
}
