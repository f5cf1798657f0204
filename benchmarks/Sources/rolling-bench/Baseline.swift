import XenCore

/// What XenCenter's and Xen Orchestra's rolling operations do (reference §2–§3), for comparison:
/// hosts one at a time, the coordinator first, each evacuated onto whichever up host has the most
/// free memory (done or not), and every VM sent back to its home host at the end.
enum Baseline {
    static func run(
        hosts: [RollingPlan.Host], vms: [RollingPlan.VM], coordinator: String, headroom: Double = 10
    ) -> (migrations: Int, makespan: Double) {
        let byID = Dictionary(uniqueKeysWithValues: hosts.map { ($0.id, $0) })
        let usable = byID.mapValues { Int64(Double($0.capacity) * (1 - headroom / 100)) }
        var placement = Dictionary(uniqueKeysWithValues: vms.map { ($0.id, $0.host) })
        let memory = Dictionary(uniqueKeysWithValues: vms.map { ($0.id, $0.memory) })
        let pinned = Set(vms.filter(\.pinned).map(\.id))
        var loads = Dictionary(uniqueKeysWithValues: hosts.map { ($0.id, Int64(0)) })
        for vm in vms { loads[vm.host]! += vm.memory }
        var migrations = 0
        var makespan = 0.0
        let order = [coordinator] + hosts.map(\.id).filter { $0 != coordinator }.sorted()
        for host in order where byID[host]!.needsRemediation {
            var evacuation = 0.0
            for vm in placement.filter({ $0.value == host && !pinned.contains($0.key) }).map(\.key).sorted() {
                let size = memory[vm]!
                guard let target = hosts.map(\.id).filter({ $0 != host && usable[$0]! - loads[$0]! >= size })
                    .max(by: { (usable[$0]! - loads[$0]!, $1) < (usable[$1]! - loads[$1]!, $0) })
                else { continue }
                placement[vm] = target
                loads[host]! -= size
                loads[target]! += size
                migrations += 1
                evacuation += Double(size) / byID[host]!.bandwidth
            }
            makespan += evacuation + byID[host]!.remediation
        }
        // Back home, each host's NIC receiving its own VMs.
        var returning: [String: Double] = [:]
        for vm in vms where !vm.pinned && placement[vm.id] != vm.host {
            migrations += 1
            returning[vm.host, default: 0] += Double(vm.memory) / byID[vm.host]!.bandwidth
        }
        makespan += returning.values.max() ?? 0
        return (migrations, makespan)
    }
}
