import XenAPI
import XenBackend
import XenDB

/// Brings the database in line with what the hypervisor actually runs (level-triggered, as
/// xenopsd's events are): after a restart, or whenever the two may have drifted. A VM recorded
/// on this host whose domain is gone is halted (xapi: "VM not found on host, marking halted");
/// one whose domain runs is recorded with its real state and domain id.
enum Reconciliation {
    static func run(_ services: CoreServices) async throws(XenAPIError) {
        let snapshot = services.database.snapshot
        let host = services.localHost(snapshot)
        var observed: [(Ref<VM>, DomainStat?)] = []
        for vm in snapshot.objects(VM.self)
        where vm.residentOn == host && !vm.isControlDomain && vm.powerState != .halted && vm.powerState != .suspended {
            observed.append((vm.ref, await services.hypervisor.stat(vm.uuid)))
        }
        guard !observed.isEmpty else { return }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for (vm, stat) in observed where tx.snapshot.contains(vm) {
                try tx.update(vm) { record in
                    switch stat?.state {
                    case .running?: record.powerState = .running
                    case .paused?: record.powerState = .paused
                    case .shutdown?, nil:
                        record.powerState = .halted
                        record.residentOn = .null
                    }
                    record.domid = stat.map { $0.state == .shutdown ? -1 : $0.domid } ?? -1
                    record.currentOperations = [:]
                }
                if stat == nil || stat?.state == .shutdown {
                    let metrics = try tx.snapshot.require(vm).guestMetrics
                    if tx.snapshot.contains(metrics) { try tx.delete(metrics) }
                    try tx.set(vm, \.guestMetrics, .null)
                }
                try VMMessages.refreshAllowedOperations(&tx, vm)
            }
        }
    }
}
