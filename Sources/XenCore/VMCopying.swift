import XenAPI
import XenDB

/// `VM.clone`, `VM.copy`, `VM.snapshot` and `VM.provision`, at the level of records: a new VM
/// with its own uuid, metrics and MAC seed, its interfaces copied with new MACs, and its disks
/// copied (a clone's and a snapshot's as children of the originals, a copy's as new disks in the
/// chosen SR). The storage layer gives the disks their contents.
extension VMMessages {
    func clone(_ context: CallContext, vm: Ref<VM>, newName: String) async throws -> Ref<VM> {
        try await duplicate(vm, .clone, name: newName, disks: .children)
    }

    func copy(_ context: CallContext, vm: Ref<VM>, newName: String, sr: Ref<SR>) async throws -> Ref<VM> {
        let snapshot = services.database.snapshot
        if !sr.isNull, let record = snapshot[sr], record.contentType == "iso" {
            throw XenAPIError.operationNotAllowed(reason: "Cannot copy a VM's disks to an ISO SR")
        }
        return try await duplicate(vm, .copy, name: newName, disks: .copies(into: snapshot.contains(sr) ? sr : nil))
    }

    func snapshot(_ context: CallContext, vm: Ref<VM>, newName: String, ignoreVdis: [Ref<VDI>]) async throws -> Ref<VM> {
        try await duplicate(vm, .snapshot, name: newName, disks: .snapshots(ignoring: Set(ignoreVdis)))
    }

    /// How a duplicate's disks are made from the original's.
    private enum DiskCopies {
        /// New disks whose parent is the original (copy-on-write).
        case children
        /// Independent disks, in the given SR or else each in its original's.
        case copies(into: Ref<SR>?)
        /// Snapshots of the originals, except those left out.
        case snapshots(ignoring: Set<Ref<VDI>>)
    }

    /// Makes the duplicate in one write, after checking `operation` against the original.
    private func duplicate(_ vm: Ref<VM>, _ operation: VMOperations, name: String, disks: DiskCopies) async throws(XenAPIError) -> Ref<VM> {
        let copy = services.makeRef(VM.self)
        let services = self.services
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let original = try tx.snapshot.require(vm)
            try VMPowerRules.check(original, operation)
            var record = original.record
            let now = services.now()
            record.uuid = services.environment.makeUUID()
            record.nameLabel = name
            record.powerState = .halted
            record.domid = -1
            record.residentOn = .null
            record.scheduledToBeResidentOn = .null
            record.currentOperations = [:]
            record.guestMetrics = .null
            record.metrics = .null
            record.isDefaultTemplate = false
            record.otherConfig["default_template"] = nil
            record.otherConfig["xensource_internal"] = nil
            record.otherConfig["mac_seed"] = services.environment.makeUUID()
            if original.isATemplate, record.otherConfig["base_template_name"] == nil {
                record.otherConfig["base_template_name"] = original.nameLabel
            }
            switch operation {
            case .snapshot:
                record.isASnapshot = true
                record.isATemplate = true
                record.snapshotOf = vm
                record.snapshotTime = now
            default:
                record.isASnapshot = false
                record.snapshotOf = .null
                record.snapshotTime = DateTime(secondsSinceEpoch: 0)
                record.parent = vm
            }
            try tx.insert(copy) { $0 = record }
            try CreationRules.vm(&tx, copy, services)
            try copyInterfaces(of: original, to: copy, in: &tx)
            try copyDisks(of: original, to: copy, disks, at: now, in: &tx)
        }
        return copy
    }

    /// Each interface again, on the same network and slot, with the MAC the new seed gives.
    private func copyInterfaces(of original: ObjectView<VM>, to copy: Ref<VM>, in tx: inout Transaction) throws(XenAPIError) {
        for vif in original.vifs {
            guard var record = tx.snapshot[vif]?.record else { continue }
            let ref = services.makeRef(VIF.self)
            record.uuid = services.environment.makeUUID()
            record.vm = copy
            record.mac = ""
            record.currentOperations = [:]
            try tx.insert(ref) { $0 = record }
            try CreationRules.vif(&tx, ref)
        }
    }

    /// Each drive again: CDs with the same disc, disks as `disks` says.
    private func copyDisks(
        of original: ObjectView<VM>, to copy: Ref<VM>, _ disks: DiskCopies, at now: DateTime, in tx: inout Transaction
    ) throws(XenAPIError) {
        for vbd in original.vbds {
            guard var record = tx.snapshot[vbd]?.record else { continue }
            if record.type == .disk, let source = tx.snapshot[record.vdi] {
                if case .snapshots(let ignoring) = disks, ignoring.contains(record.vdi) { continue }
                var disk = source.record
                disk.uuid = services.environment.makeUUID()
                disk.currentOperations = [:]
                switch disks {
                case .children:
                    disk.parent = record.vdi
                case .copies(let sr):
                    disk.parent = .null
                    if let sr { disk.sr = sr }
                case .snapshots:
                    disk.isASnapshot = true
                    disk.snapshotOf = record.vdi
                    disk.snapshotTime = now
                }
                let ref = services.makeRef(VDI.self)
                try tx.insert(ref) { $0 = disk }
                record.vdi = ref
            }
            record.uuid = services.environment.makeUUID()
            record.vm = copy
            record.currentOperations = [:]
            record.currentlyAttached = false
            let ref = services.makeRef(VBD.self)
            try tx.insert(ref) { $0 = record }
        }
    }

    func provision(_ context: CallContext, vm: Ref<VM>) async throws {
        let services = self.services
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let record = try tx.snapshot.require(vm)
            guard record.isATemplate else { throw XenAPIError.provisionOnlyAllowedOnTemplate() }
            try VMPowerRules.check(record, .provision)
            let disks = try ProvisionDisks(parsing: record.otherConfig["disks"] ?? "<provision></provision>")
            try tx.set(vm, \.isATemplate, false)
            for disk in disks.disks {
                guard let sr = tx.snapshot.ref(SR.self, uuid: disk.sr) else { throw XenAPIError.uuidInvalid(className: "sr", uuid: disk.sr) }
                let vdi = services.makeRef(VDI.self), vbd = services.makeRef(VBD.self)
                let (vdiUUID, vbdUUID) = (services.environment.makeUUID(), services.environment.makeUUID())
                try tx.insert(vdi) { vdi in
                    vdi.uuid = vdiUUID
                    vdi.nameLabel = disk.device
                    vdi.nameDescription = "Created by template provisioner"
                    vdi.sr = sr
                    vdi.virtualSize = disk.size
                    vdi.type = disk.type
                    vdi.smConfig = ["vmhint": record.uuid]
                }
                try tx.insert(vbd) { vbd in
                    vbd.uuid = vbdUUID
                    vbd.vm = vm
                    vbd.vdi = vdi
                    vbd.userdevice = disk.device
                    vbd.bootable = disk.bootable
                    vbd.mode = .rw
                    vbd.type = .disk
                    vbd.unpluggable = disk.type != .system
                    vbd.otherConfig = ["owner": ""]
                }
                try CreationRules.vbd(&tx, vbd)
            }
            try tx.update(vm) { vm in
                vm.otherConfig["disks"] = nil
                vm.otherConfig["postinstall"] = nil
            }
            try Self.refreshAllowedOperations(&tx, vm)
        }
    }
}
