import XenAPI
import XenDB

/// VM groups (`VM_group`, `VM.set_groups`), as xapi has them: a VM belongs to one group at most,
/// never a control domain, template or snapshot; a group's `VMs` is the relation's other end.
/// The anti-affinity policy is applied where VMs are placed (`Placement.chooseHost`, the
/// rolling planner).
struct VMGroupMessages: VMGroupActions {
    let services: CoreServices

    func destroy(_ context: CallContext, object: Ref<VMGroup>) async throws {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let group = try tx.snapshot.require(object)
            for vm in group.vms where tx.snapshot.contains(vm) {
                try tx.update(vm) { $0.groups.removeAll { $0 == object } }
            }
            try tx.delete(object)
        }
    }
}

extension VMMessages {
    func setGroups(_ context: CallContext, object: Ref<VM>, value: [Ref<VMGroup>]) async throws {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let vm = try tx.snapshot.require(object)
            if vm.isControlDomain || vm.isATemplate || vm.isASnapshot {
                throw XenAPIError.operationNotAllowed(reason: "Control domains, templates, and snapshots cannot be added to VM groups.")
            }
            let groups = Array(Set(value)).sorted { $0.rawValue < $1.rawValue }
            if groups.count > 1 { throw XenAPIError.tooManyGroups() }
            for group in groups { _ = try tx.snapshot.require(group) }
            try tx.set(object, \.groups, groups)
        }
    }
}
