import XenAPI
import XenBackend
import XenDB

/// What must hold between the database and the hypervisor whenever no operation runs (checked
/// by the simulation after every step). Each violation is described in one line.
public enum Invariants {
    public static func violations(_ services: CoreServices) async -> [String] {
        let snapshot = services.database.snapshot
        let host = services.localHost(snapshot)
        var found: [String] = []
        var committed: Int64 = 0
        for vm in snapshot.objects(VM.self) where !vm.isControlDomain {
            let name = "\(vm.nameLabel) (\(vm.ref))"
            let stat = await services.hypervisor.stat(vm.uuid)
            if !vm.currentOperations.isEmpty { found.append("\(name): operations left running: \(vm.currentOperations)") }
            let allowed = VMPowerRules.allowedOperations(vm)
            if Set(vm.allowedOperations) != Set(allowed) {
                found.append("\(name): allowed_operations \(vm.allowedOperations) but the rules give \(allowed)")
            }
            switch vm.powerState {
            case .running, .paused:
                committed += stat?.spec.memory ?? 0
                let expected: DomainStat.State = vm.powerState == .running ? .running : .paused
                if stat?.state != expected { found.append("\(name): \(vm.powerState) but the domain is \(String(describing: stat?.state))") }
                if stat?.domid != vm.domid { found.append("\(name): domid \(vm.domid) but the domain has \(String(describing: stat?.domid))") }
                if vm.residentOn != host { found.append("\(name): running but resident on \(vm.residentOn)") }
            case .halted, .suspended:
                if let stat { found.append("\(name): \(vm.powerState) but a domain exists (\(stat.state))") }
                if vm.domid != -1 { found.append("\(name): \(vm.powerState) with domid \(vm.domid)") }
                if !vm.residentOn.isNull { found.append("\(name): \(vm.powerState) but resident on \(vm.residentOn)") }
            }
        }
        if let facts = try? await services.hypervisor.hostFacts() {
            let capacity = facts.totalMemory - services.configuration.controlDomainMemory
            if committed > capacity { found.append("host over-committed: \(committed) of \(capacity) bytes") }
            if facts.freeMemory != capacity - committed {
                found.append("host free memory \(facts.freeMemory) but the VMs leave \(capacity - committed)")
            }
        }
        return found
    }
}
