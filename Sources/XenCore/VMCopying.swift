import XenAPI
import XenDB
import XenStorage

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
        if !sr.isNull, let record = snapshot[sr], SRKind(type: record.type) != .vhdFolder {
            throw XenAPIError.operationNotAllowed(reason: "Cannot copy a VM's disks to an SR of type \(record.type)")
        }
        return try await duplicate(vm, .copy, name: newName, disks: .copies(into: snapshot.contains(sr) ? sr : nil))
    }

    func snapshot(_ context: CallContext, vm: Ref<VM>, newName: String, ignoreVdis: [Ref<VDI>]) async throws -> Ref<VM> {
        try await duplicate(vm, .snapshot, name: newName, disks: .snapshots(ignoring: Set(ignoreVdis)))
    }

    /// Refused as xapi refuses it unless the VM runs and its tools can quiesce its disks (a VSS
    /// provider, which XenServer 8's Windows tools no longer have); otherwise a snapshot.
    func snapshotWithQuiesce(_ context: CallContext, vm: Ref<VM>, newName: String) async throws -> Ref<VM> {
        let snapshot = services.database.snapshot
        let record = try snapshot.require(vm)
        try VMPowerRules.check(record, .snapshotWithQuiesce, in: snapshot)
        let features = snapshot[record.guestMetrics]?.other ?? [:]
        guard features["feature-quiesce"] != nil || features["feature-snapshot"] != nil else {
            throw XenAPIError(errorDescription: ["VM_SNAPSHOT_WITH_QUIESCE_NOT_SUPPORTED", vm.rawValue])
        }
        return try await duplicate(vm, .snapshot, name: newName, disks: .snapshots(ignoring: []))
    }

    /// How a duplicate's disks are made from the original's.
    private enum DiskCopies {
        /// Copy-on-write clones of the originals.
        case children
        /// Full copies, in the given SR or else each in its original's.
        case copies(into: Ref<SR>?)
        /// Snapshots of the originals, except those left out.
        case snapshots(ignoring: Set<Ref<VDI>>)
    }

    /// Makes the duplicate: the disks' files first, then every record in one write (the files
    /// undone if it fails).
    private func duplicate(_ vm: Ref<VM>, _ operation: VMOperations, name: String, disks: DiskCopies) async throws(XenAPIError) -> Ref<VM> {
        let copy = services.makeRef(VM.self)
        let services = self.services
        let snapshot = services.database.snapshot
        let now = services.now()
        var original = try snapshot.require(vm)
        try VMPowerRules.check(original, operation, in: snapshot)
        if original.powerState != .halted {
            // The snapshot holds what the guest has written so far.
            await GuestDiskWrites.apply(original.record, services: services)
            original = try services.database.snapshot.require(vm)
        }
        let current = services.database.snapshot
        let pause = try DiskPause(pausedDisks(of: original, disks, in: current), services: services, snapshot: current)
        return try await pause.around { () async throws(XenAPIError) -> Ref<VM> in
            let made = try makeDisks(of: original, disks, at: now, in: services.database.snapshot)
            return try await record(copy, of: vm, operation, name: name, at: now, disks: made)
        }
    }

    /// The disks whose files a duplicate changes (clones and snapshots change the original's;
    /// full copies only read it).
    private func pausedDisks(of original: ObjectView<VM>, _ disks: DiskCopies, in snapshot: Snapshot) -> [ObjectView<VDI>] {
        if case .copies = disks { return [] }
        return duplicated(of: original, disks, in: snapshot)
    }

    /// The disks a duplicate of `original` has copies of: each disk once, however many drives
    /// hold it, less those a snapshot leaves out.
    private func duplicated(of original: ObjectView<VM>, _ disks: DiskCopies, in snapshot: Snapshot) -> [ObjectView<VDI>] {
        var ignoring: Set<Ref<VDI>> = []
        if case .snapshots(let ignored) = disks { ignoring = ignored }
        var seen: Set<Ref<VDI>> = []
        return original.vbds.compactMap { vbd in
            guard let drive = snapshot[vbd], drive.type == .disk, let vdi = snapshot[drive.vdi], !ignoring.contains(vdi.ref),
                seen.insert(vdi.ref).inserted
            else { return nil }
            return vdi
        }
    }

    /// Records the duplicate made of `vm` with the files of `made`, in one write (the files
    /// undone if it fails).
    private func record(
        _ copy: Ref<VM>, of vm: Ref<VM>, _ operation: VMOperations, name: String, at now: DateTime, disks made: [DiskDuplicate]
    ) async throws(XenAPIError) -> Ref<VM> {
        let services = self.services
        let after = services.database.snapshot
        let srs = Set(made.flatMap { disk in [disk.sr, after[disk.original]?.sr ?? .null] }).filter { !$0.isNull }
        let measured = srs.sorted { $0.rawValue < $1.rawValue }.compactMap { SRSpace.measure($0, services: services, snapshot: after) }
        return try await FileChange.committing(made.compactMap(\.change)) { () throws(XenAPIError) in
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                let original = try tx.snapshot.require(vm)
                try VMPowerRules.check(original, operation, in: tx.snapshot)
                var record = original.record
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
                // As xapi's copies: no VM group (a snapshot or template may not be in one).
                record.groups = []
                record.otherConfig["default_template"] = nil
                record.otherConfig["xensource_internal"] = nil
                if operation != .snapshot { record.otherConfig["mac_seed"] = services.environment.makeUUID() }
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
                try copyInterfaces(of: original, to: copy, keepingMACs: operation == .snapshot, in: &tx)
                try copyDrives(of: original, to: copy, made, in: &tx)
                for space in measured { try space.record(in: &tx) }
            }
            return copy
        }
    }

    /// The files of each disk's duplicate; if one fails, those already made are undone.
    private func makeDisks(of original: ObjectView<VM>, _ disks: DiskCopies, at now: DateTime, in snapshot: Snapshot) throws(XenAPIError) -> [DiskDuplicate] {
        var made: [DiskDuplicate] = []
        do throws(XenAPIError) {
            for vdi in duplicated(of: original, disks, in: snapshot) {
                switch disks {
                case .children:
                    made.append(try DiskDuplicate.make(of: vdi, .clone, services: services, snapshot: snapshot))
                case .copies(let sr):
                    made.append(try DiskDuplicate.make(of: vdi, .copy, into: sr, services: services, snapshot: snapshot))
                case .snapshots:
                    made.append(try DiskDuplicate.make(of: vdi, .snapshot(at: now), services: services, snapshot: snapshot))
                }
            }
        } catch {
            FileChange.undo(made.compactMap(\.change))
            throw error
        }
        return made
    }

    /// Each interface again, on the same network and slot: a snapshot's with the same MAC, any
    /// other copy's with the MAC its new seed gives.
    private func copyInterfaces(of original: ObjectView<VM>, to copy: Ref<VM>, keepingMACs: Bool, in tx: inout Transaction) throws(XenAPIError) {
        for vif in original.vifs {
            guard var record = tx.snapshot[vif]?.record else { continue }
            let ref = services.makeRef(VIF.self)
            record.uuid = services.environment.makeUUID()
            record.vm = copy
            if !keepingMACs { record.mac = "" }
            record.currentOperations = [:]
            try tx.insert(ref) { $0 = record }
            try CreationRules.vif(&tx, ref)
        }
    }

    /// Each drive again: CDs with the same disc, disks with their duplicates (drives of disks a
    /// snapshot leaves out are left out too).
    private func copyDrives(of original: ObjectView<VM>, to copy: Ref<VM>, _ made: [DiskDuplicate], in tx: inout Transaction) throws(XenAPIError) {
        var recorded: [Ref<VDI>: Ref<VDI>] = [:]
        for vbd in original.vbds {
            guard var record = tx.snapshot[vbd]?.record else { continue }
            if record.type == .disk, tx.snapshot.contains(record.vdi) {
                guard let disk = made.first(where: { $0.original == record.vdi }) else { continue }
                if let existing = recorded[record.vdi] {
                    record.vdi = existing
                } else {
                    let ref = try disk.record(try tx.snapshot.require(record.vdi), services: services, in: &tx)
                    recorded[record.vdi] = ref
                    record.vdi = ref
                }
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
        let snapshot = services.database.snapshot
        let template = try snapshot.require(vm)
        guard template.isATemplate else { throw XenAPIError.provisionOnlyAllowedOnTemplate() }
        try VMPowerRules.check(template, .provision, in: snapshot)
        let disks = try ProvisionDisks(parsing: template.otherConfig["disks"] ?? "<provision></provision>")
        var files: [(disk: ProvisionDisks.Disk, sr: Ref<SR>, uuid: String, facts: VHDFacts)] = []
        var changes: [FileChange] = []
        do throws(XenAPIError) {
            for disk in disks.disks {
                guard let sr = snapshot.ref(SR.self, uuid: disk.sr) else { throw XenAPIError.uuidInvalid(className: SR.className.lowercased(), uuid: disk.sr) }
                let uuid = services.environment.makeUUID()
                guard let folder = services.vhdFolder(of: sr, in: snapshot) else {
                    throw XenAPIError.srOperationNotSupported(sr: sr.rawValue)
                }
                _ = try services.storageHost(of: sr, in: snapshot)
                guard let size = VHDFolder.roundedSize(disk.size) else { throw XenAPIError.invalidVDISize }
                let timestamp = VHDFolder.timestamp(unixSeconds: services.environment.wallClockSeconds())
                let facts = try storageOperation { () throws(VHDError) in try folder.create(uuid: uuid, size: size, timestamp: timestamp) }
                changes.append(FileChange(folder: folder, journal: .create(vdi: uuid)))
                files.append((disk, sr, uuid, facts))
            }
        } catch {
            FileChange.undo(changes)
            throw error
        }
        let after = services.database.snapshot
        let spaces = Set(files.map(\.sr)).sorted { $0.rawValue < $1.rawValue }.compactMap {
            SRSpace.measure($0, services: services, snapshot: after)
        }
        try await FileChange.committing(changes) { () throws(XenAPIError) in
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                let record = try tx.snapshot.require(vm)
                try VMPowerRules.check(record, .provision, in: tx.snapshot)
                try tx.set(vm, \.isATemplate, false)
                for (disk, sr, uuid, facts) in files {
                    let vdi = services.makeRef(VDI.self), vbd = services.makeRef(VBD.self)
                    let vbdUUID = services.environment.makeUUID()
                    try tx.insert(vdi) { vdi in
                        vdi.uuid = uuid
                        vdi.nameLabel = disk.device
                        vdi.nameDescription = "Created by template provisioner"
                        vdi.sr = sr
                        vdi.virtualSize = facts.virtualSize
                        vdi.physicalUtilisation = facts.physicalSize
                        vdi.location = uuid
                        vdi.managed = true
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
                for space in spaces { try space.record(in: &tx) }
            }
        }
    }
}
