import XenAPI
import XenBackend
import XenDB
import XenStorage

/// A suspended VM's image lives in a disk of its own, as in xapi: a VDI of type `suspend`
/// ("Suspend image") in the VM's suspend SR, named by `VM.suspend_VDI`, made before the guest is
/// saved into it and removed once the VM is resumed or shut down, or when the suspend fails.
struct SuspendImages {
    let services: CoreServices

    /// The SR a VM's suspend image goes to on `host`, in xapi's order: the VM's `suspend_SR`,
    /// the pool's `suspend_image_SR`, the host's `suspend_image_sr`, the first that exists and
    /// that the host reaches; `VM_NO_SUSPEND_SR` when none does.
    static func sr(for vm: Ref<VM>, _ record: VM, on host: Ref<Host>, in snapshot: Snapshot) throws(XenAPIError) -> Ref<SR> {
        let pool = snapshot.objects(Pool.self).first?.suspendImageSR ?? .null
        let candidates = [record.suspendSR, pool, snapshot[host]?.suspendImageSR ?? .null]
        let reachable = candidates.first { sr in
            guard let repository = snapshot[sr] else { return false }
            return repository.shared || repository.pbds.contains { snapshot[$0]?.host == host }
        }
        guard let reachable else { throw XenAPIError.vmNoSuspendSR(vm: vm.rawValue) }
        return reachable
    }

    /// Makes the VM's suspend VDI, with room for its memory, and records it as the VM's
    /// `suspend_VDI`; returns the disk the hypervisor writes the guest into.
    func make(for vm: Ref<VM>, _ record: VM, on host: Ref<Host>) async throws(XenAPIError) -> DiskImage? {
        let sr = try Self.sr(for: vm, record, on: host, in: services.database.snapshot)
        var disk = VDI()
        disk.nameLabel = "Suspend image"
        disk.nameDescription = "Suspend image"
        disk.sr = sr
        disk.virtualSize = SuspendImage.diskSize(forMemory: max(record.memoryStaticMax, record.memoryDynamicMax) + record.memoryOverhead)
        disk.type = .suspend
        disk.smConfig = ["vm_hint": record.uuid]
        let vdi = try await VDIMessages(services: services).make(disk)
        do throws(XenAPIError) {
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                _ = try tx.snapshot.require(vm)
                try tx.set(vm, \.suspendVDI, vdi)
            }
        } catch {
            try? await VDIMessages(services: services).destroyOwn(vdi)
            throw error
        }
        return services.diskImage(of: vdi, readOnly: false, in: services.database.snapshot)
    }

    /// The disk holding a suspended VM's image, for the hypervisor that resumes it.
    func image(of record: VM) -> DiskImage? {
        services.diskImage(of: record.suspendVDI, readOnly: true, in: services.database.snapshot)
    }

    /// Removes the VM's suspend VDI, if it has one, and clears its `suspend_VDI`.
    func remove(of vm: Ref<VM>) async {
        guard let vdi = services.database.snapshot[vm]?.suspendVDI, !vdi.isNull else { return }
        _ = try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            if tx.snapshot.contains(vm) { try tx.set(vm, \.suspendVDI, .null) }
        }
        if services.database.snapshot.contains(vdi) { try? await VDIMessages(services: services).destroyOwn(vdi) }
    }

    /// Removes the suspend VDIs of VMs that are no longer suspended (a suspend that failed, or
    /// one cut short by a crash: the VM was found running or halted).
    func sweep() async {
        let leftovers = services.database.snapshot.objects(VM.self).filter { !$0.suspendVDI.isNull && $0.powerState != .suspended }
        for vm in leftovers { await remove(of: vm.ref) }
    }
}
