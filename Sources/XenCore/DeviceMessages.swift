import XenAPI
import XenBackend
import XenDB

/// `VIF.plug`/`unplug` and `VBD.plug`/`unplug`/`insert`/`eject`: hot plug into a running VM
/// (only with the guest's PV drivers, unless forced out), and media changes in CD drives, halted
/// or running. A halted VM's devices are plugged when it boots.
struct VIFMessages: VIFActions {
    let services: CoreServices

    func plug(_ context: CallContext, object vif: Ref<VIF>) async throws {
        let snapshot = services.database.snapshot
        let record = try snapshot.require(vif)
        let backing = DeviceBacking.nic(mac: record.mac, network: NetworkLink(record.network, in: snapshot))
        try await DeviceHotplug(services: services).plug(record.vm, .nic(Int(record.device) ?? -1), device: record.device, backing: backing) {
            tx throws(XenAPIError) in try tx.set(vif, \.currentlyAttached, true)
        }
    }

    func unplug(_ context: CallContext, object vif: Ref<VIF>) async throws {
        try await unplug(vif, force: false)
    }

    func unplugForce(_ context: CallContext, object vif: Ref<VIF>) async throws {
        try await unplug(vif, force: true)
    }

    private func unplug(_ vif: Ref<VIF>, force: Bool) async throws(XenAPIError) {
        let record = try services.database.snapshot.require(vif)
        try await DeviceHotplug(services: services).unplug(
            record.vm, .nic(Int(record.device) ?? -1), device: record.device, force: force
        ) { tx throws(XenAPIError) in try tx.set(vif, \.currentlyAttached, false) }
    }
}

struct VBDMessages: VBDActions {
    let services: CoreServices

    func plug(_ context: CallContext, object vbd: Ref<VBD>) async throws {
        let record = try services.database.snapshot.require(vbd)
        let image =
            record.type == .disk
            ? services.diskImage(of: record.vdi, readOnly: record.mode == .ro, in: services.database.snapshot) : nil
        try await DeviceHotplug(services: services).plug(
            record.vm, Self.device(record), device: record.userdevice, backing: image.map(DeviceBacking.disk)
        ) {
            tx throws(XenAPIError) in try tx.set(vbd, \.currentlyAttached, true)
        }
    }

    func unplug(_ context: CallContext, object vbd: Ref<VBD>) async throws {
        try await unplug(vbd, force: false)
    }

    func unplugForce(_ context: CallContext, object vbd: Ref<VBD>) async throws {
        try await unplug(vbd, force: true)
    }

    private func unplug(_ vbd: Ref<VBD>, force: Bool) async throws(XenAPIError) {
        let record = try services.database.snapshot.require(vbd)
        try await DeviceHotplug(services: services).unplug(record.vm, Self.device(record), device: record.userdevice, force: force) {
            tx throws(XenAPIError) in try tx.set(vbd, \.currentlyAttached, false)
        }
    }

    func insert(_ context: CallContext, vbd: Ref<VBD>, vdi: Ref<VDI>) async throws {
        let snapshot = services.database.snapshot
        let record = try snapshot.require(vbd)
        let disc = try snapshot.require(vdi)
        guard record.type == .cd else { throw XenAPIError.vbdNotRemovableMedia(vbd: vbd.rawValue) }
        guard record.empty else { throw XenAPIError.vbdNotEmpty(vbd: vbd.rawValue) }
        guard let library = snapshot[disc.sr], library.contentType == "iso" else {
            throw XenAPIError.vdiIsNotIso(vdi: vdi.rawValue, type: disc.type.rawValue)
        }
        // A running VM's host must have the library plugged.
        if let vm = snapshot[record.vm], vm.powerState != .halted,
            !library.pbds.contains(where: { snapshot[$0].map { $0.host == vm.residentOn && $0.currentlyAttached } ?? false })
        {
            throw XenAPIError.vmRequiresSR(vm: record.vm.rawValue, sr: disc.sr.rawValue)
        }
        try await changeMedia(record, media: services.mediaFile(of: vdi, in: snapshot) ?? disc.uuid) { tx throws(XenAPIError) in
            try tx.update(vbd) { vbd in
                vbd.vdi = vdi
                vbd.empty = false
            }
        }
    }

    func eject(_ context: CallContext, vbd: Ref<VBD>) async throws {
        let record = try services.database.snapshot.require(vbd)
        guard record.type == .cd else { throw XenAPIError.vbdNotRemovableMedia(vbd: vbd.rawValue) }
        guard !record.empty else { throw XenAPIError.vbdIsEmpty(vbd: vbd.rawValue) }
        try await changeMedia(record, media: nil) { tx throws(XenAPIError) in
            try tx.update(vbd) { vbd in
                vbd.vdi = .null
                vbd.empty = true
            }
        }
    }

    /// Tells the VM's domain, if it has one with this drive, then records the change.
    private func changeMedia(
        _ record: ObjectView<VBD>, media: String?, _ change: @escaping @Sendable (inout Transaction) throws(XenAPIError) -> Void
    ) async throws(XenAPIError) {
        let snapshot = services.database.snapshot
        let vm = try snapshot.require(record.vm)
        if record.currentlyAttached, vm.powerState == .running || vm.powerState == .paused, let slot = Int(record.userdevice) {
            let hypervisor = try services.hypervisor(of: vm.residentOn, in: snapshot)
            do throws(HypervisorError) {
                try await hypervisor.changeMedia(vm.uuid, drive: slot, media: media)
            } catch {
                throw PlanExecution.apiError(error)
            }
        }
        try await services.database.write(change)
    }

    static func device(_ record: ObjectView<VBD>) -> VirtualDevice {
        let slot = Int(record.userdevice) ?? -1
        return record.type == .cd ? .cd(slot) : .disk(slot)
    }
}

/// Hot plug as xapi does it: the VM must be running, the device in the state the call expects,
/// and the guest able to take part.
struct DeviceHotplug {
    let services: CoreServices

    func plug(
        _ vm: Ref<VM>, _ device: VirtualDevice, device name: String, backing: DeviceBacking?,
        _ record: @escaping @Sendable (inout Transaction) throws(XenAPIError) -> Void
    ) async throws(XenAPIError) {
        let (hypervisor, uuid) = try running(vm)
        do throws(HypervisorError) {
            try await hypervisor.plug(uuid, device, backing: backing)
        } catch {
            throw Self.apiError(error, vm: vm, device: name)
        }
        try await services.database.write(record)
    }

    func unplug(
        _ vm: Ref<VM>, _ device: VirtualDevice, device name: String, force: Bool,
        _ record: @escaping @Sendable (inout Transaction) throws(XenAPIError) -> Void
    ) async throws(XenAPIError) {
        let (hypervisor, uuid) = try running(vm)
        do throws(HypervisorError) {
            try await hypervisor.unplug(uuid, device, force: force)
        } catch {
            throw Self.apiError(error, vm: vm, device: name)
        }
        try await services.database.write(record)
    }

    private func running(_ vm: Ref<VM>) throws(XenAPIError) -> (any Hypervisor, String) {
        let snapshot = services.database.snapshot
        let record = try snapshot.require(vm)
        guard record.powerState == .running else {
            throw XenAPIError.vmBadPowerState(vm: vm.rawValue, expected: "running", actual: record.powerState.rawValue.lowercased())
        }
        return (try services.hypervisor(of: record.residentOn, in: snapshot), record.uuid)
    }

    private static func apiError(_ error: HypervisorError, vm: Ref<VM>, device: String) -> XenAPIError {
        switch error {
        case .deviceAlreadyAttached: XenAPIError.deviceAlreadyAttached(device: device)
        case .deviceNotAttached: XenAPIError.deviceAlreadyDetached(device: device)
        case .guestCannotCooperate: XenAPIError.vmMissingPVDrivers(vm: vm.rawValue)
        default: PlanExecution.apiError(error)
        }
    }
}
