import XenAPI
import XenDB

/// Where each VM of a host goes when the host is evacuated (xapi's
/// `compute_evacuation_plan`), decided over one snapshot: the largest VMs are placed first,
/// each on the target with most free memory left (a VM of an anti-affinity group on the target
/// with fewest of its group, counting the moves already planned), so no host is ever given more
/// than it has. A VM that cannot go anywhere, or whose storage or networks some other host lacks,
/// is refused with the error xapi gives it.
struct EvacuationPlan: Sendable {
    /// The VMs to migrate and their destinations, largest first.
    var moves: [(vm: Ref<VM>, to: Ref<Host>)] = []
    /// The VMs that prevent the evacuation, each with its error (code and arguments).
    var refusals: [(vm: Ref<VM>, error: [String])] = []

    init(evacuating host: Ref<Host>, in snapshot: Snapshot) {
        let vms = snapshot.objects(VM.self)
            .filter { $0.residentOn == host && !$0.isControlDomain }
            .sorted { (Placement.startMemory(of: $0), $1.uuid) > (Placement.startMemory(of: $1), $0.uuid) }
        var free = Placement.freeMemory(in: snapshot)
        // Per anti-affinity group, its VMs on each host as the plan goes.
        var together: [Ref<VMGroup>: [Ref<Host>: Int]] = [:]
        let groupOf = { (vm: ObjectView<VM>) in Placement.antiAffinityGroup(of: vm, in: snapshot) }
        for vm in snapshot.objects(VM.self) where vm.powerState == .running || vm.powerState == .paused {
            if let group = groupOf(vm) { together[group, default: [:]][vm.residentOn, default: 0] += 1 }
        }
        let targets = snapshot.objects(Host.self)
            .filter { $0.ref != host && (try? Placement.assertAcceptsVMs($0.ref, in: snapshot)) != nil }
            .sorted { $0.uuid < $1.uuid }
            .map(\.ref)
        for vm in vms {
            if targets.isEmpty {
                refusals.append((vm.ref, ["NO_HOSTS_AVAILABLE", vm.ref.rawValue]))
                continue
            }
            do throws(XenAPIError) {
                try VMPowerRules.check(vm, .poolMigrate, in: snapshot)
            } catch {
                refusals.append((vm.ref, error.errorDescription))
                continue
            }
            guard VMPowerRules.allowedOperations(vm, in: snapshot).contains(.poolMigrate) else {
                refusals.append((vm.ref, ["VM_LACKS_FEATURE", vm.ref.rawValue]))
                continue
            }
            // As in xapi, a VM must be able to run on every other host (its disks and networks
            // everywhere), not just on one with room.
            do throws(XenAPIError) {
                for target in targets { try Placement.assertReaches(vm, from: target, in: snapshot) }
            } catch {
                refusals.append((vm.ref, error.errorDescription))
                continue
            }
            let needed = Placement.startMemory(of: vm)
            let group = groupOf(vm)
            let count = { (host: Ref<Host>) in group.flatMap { together[$0]?[host] } ?? 0 }
            guard
                let target = targets.filter({ (free[$0] ?? 0) >= needed })
                    .max(by: { (-count($0), free[$0] ?? 0) < (-count($1), free[$1] ?? 0) })
            else {
                refusals.append((vm.ref, ["HOST_NOT_ENOUGH_FREE_MEMORY", vm.ref.rawValue]))
                continue
            }
            free[target, default: 0] -= needed
            if let group { together[group, default: [:]][target, default: 0] += 1 }
            moves.append((vm.ref, target))
        }
    }
}
