import XenAPI
import XenBackend
import XenDB

/// What must hold between the database and the hypervisors whenever no operation runs (checked
/// by the simulation after every step). Each violation is described in one line.
public enum Invariants {
    public static func violations(_ services: CoreServices) async -> [String] {
        let snapshot = services.database.snapshot
        var found: [String] = []
        var stats: [String: [(Ref<Host>, DomainStat)]] = [:]
        for machine in services.machines {
            guard let host = snapshot.ref(Host.self, uuid: machine.inventory.uuid) else {
                found.append("machine \(machine.inventory.uuid) has no host record")
                continue
            }
            for vm in snapshot.objects(VM.self) where !vm.isControlDomain {
                if let stat = await machine.hypervisor.stat(vm.uuid) { stats[vm.uuid, default: []].append((host, stat)) }
            }
        }
        for vm in snapshot.objects(VM.self) where !vm.isControlDomain {
            found += violations(of: vm, domains: stats[vm.uuid] ?? [], in: snapshot)
        }
        found += await memoryViolations(services, snapshot)
        found += storageViolations(services, snapshot)
        return found
    }

    /// What must hold even while operations run (a rolling operation in the background): no
    /// hypervisor gives out more memory than its host has, and the records never place more on
    /// a host than it has.
    public static func capacityViolations(_ services: CoreServices) async -> [String] {
        let snapshot = services.database.snapshot
        let accounted = Placement.freeMemory(in: snapshot)
        var found: [String] = []
        for machine in services.machines {
            guard let host = snapshot.ref(Host.self, uuid: machine.inventory.uuid) else { continue }
            let name = snapshot[host]?.nameLabel ?? host.rawValue
            if let facts = try? await machine.hypervisor.hostFacts(), facts.freeMemory < 0 {
                found.append("\(name) over-committed by \(-facts.freeMemory) bytes")
            }
            if let free = accounted[host], free < 0 { found.append("\(name): the records place \(-free) bytes more than it has") }
        }
        return found
    }

    /// Every disk the records hold in a VHD SR has its file (its chain is the files' own
    /// business: records of parents follow them only at the next scan).
    private static func storageViolations(_ services: CoreServices, _ snapshot: Snapshot) -> [String] {
        var found: [String] = []
        for sr in snapshot.objects(SR.self) {
            guard let folder = services.vhdFolder(of: sr.ref, in: snapshot), sr.pbds.contains(where: { snapshot[$0]?.currentlyAttached == true })
            else { continue }
            for vdi in sr.vdis.compactMap({ snapshot[$0] }) where vdi.managed {
                if !folder.exists(vdi.location) {
                    found.append("\(vdi.nameLabel) (\(vdi.ref)): no file \(vdi.location).vhd in SR \(sr.uuid)")
                }
            }
        }
        return found
    }

    /// What is wrong with one VM's records against the domains the hosts have for it.
    private static func violations(of vm: ObjectView<VM>, domains: [(Ref<Host>, DomainStat)], in snapshot: Snapshot) -> [String] {
        let name = "\(vm.nameLabel) (\(vm.ref))"
        var found: [String] = []
        if !vm.currentOperations.isEmpty { found.append("\(name): operations left running: \(vm.currentOperations)") }
        if !vm.scheduledToBeResidentOn.isNull { found.append("\(name): still scheduled to \(vm.scheduledToBeResidentOn)") }
        let allowed = VMPowerRules.allowedOperations(vm, in: snapshot)
        if Set(vm.allowedOperations) != Set(allowed) {
            found.append("\(name): allowed_operations \(vm.allowedOperations) but the rules give \(allowed)")
        }
        if domains.count > 1 { found.append("\(name): domains on \(domains.count) hosts at once") }
        let (host, stat) = (domains.first?.0, domains.first?.1)
        switch vm.powerState {
        case .running, .paused:
            let expected: DomainStat.State = vm.powerState == .running ? .running : .paused
            if stat?.state != expected { found.append("\(name): \(vm.powerState) but the domain is \(String(describing: stat?.state))") }
            if stat?.domid != vm.domid { found.append("\(name): domid \(vm.domid) but the domain has \(String(describing: stat?.domid))") }
            if let host, vm.residentOn != host { found.append("\(name): resident on \(vm.residentOn) but runs on \(host)") }
        case .halted, .suspended:
            if let stat { found.append("\(name): \(vm.powerState) but a domain exists (\(stat.state))") }
            if vm.domid != -1 { found.append("\(name): \(vm.powerState) with domid \(vm.domid)") }
            if !vm.residentOn.isNull { found.append("\(name): \(vm.powerState) but resident on \(vm.residentOn)") }
        }
        return found
    }

    /// Each host: not over-committed, and its free memory the same in the hypervisor, in
    /// `host_metrics` and in the records' accounting.
    private static func memoryViolations(_ services: CoreServices, _ snapshot: Snapshot) async -> [String] {
        var found: [String] = []
        let accounted = Placement.freeMemory(in: snapshot)
        for machine in services.machines {
            guard let host = snapshot.ref(Host.self, uuid: machine.inventory.uuid),
                let facts = try? await machine.hypervisor.hostFacts()
            else { continue }
            let name = snapshot[host]?.nameLabel ?? host.rawValue
            if facts.freeMemory < 0 { found.append("\(name) over-committed by \(-facts.freeMemory) bytes") }
            if accounted[host] != facts.freeMemory {
                found.append("\(name): free memory \(facts.freeMemory) but the records leave \(String(describing: accounted[host]))")
            }
            let metrics = snapshot[host].flatMap { snapshot[$0.metrics] }
            if metrics?.memoryFree != facts.freeMemory {
                found.append("\(name): host_metrics.memory_free \(String(describing: metrics?.memoryFree)) but \(facts.freeMemory) is free")
            }
        }
        return found
    }
}
