import XenAPI
import XenDB
import XenStorage

/// `VM.revert`: the VM a snapshot was taken of goes back to it. Each disk the snapshot holds a
/// copy of is replaced by a new copy-on-write clone of that copy (the VM's current disk is
/// deleted, as xapi deletes it); the VM's configuration and interfaces become the snapshot's.
extension VMMessages {
    func revert(_ context: CallContext, snapshot: Ref<VM>) async throws {
        let services = self.services
        let before = services.database.snapshot
        let taken = try before.require(snapshot)
        guard taken.isASnapshot, let vm = before[taken.snapshotOf] else {
            throw XenAPIError.vmRevertFailed(vm: taken.snapshotOf.rawValue, snapshot: snapshot.rawValue)
        }
        try VMPowerRules.check(taken, .revert, in: before)
        try Self.assertHalted(vm)
        // The snapshot's disks, each with the VM's disk it is a copy of.
        var pairs: [(copy: ObjectView<VDI>, current: Ref<VDI>?)] = []
        for vbd in taken.vbds {
            guard let drive = before[vbd], drive.type == .disk, let copy = before[drive.vdi],
                !pairs.contains(where: { $0.copy.ref == copy.ref })
            else { continue }
            pairs.append((copy, before.contains(copy.snapshotOf) ? copy.snapshotOf : nil))
        }
        var clones: [DiskDuplicate] = []
        var changes: [FileChange] = []
        do throws(XenAPIError) {
            for pair in pairs {
                let clone = try DiskDuplicate.make(of: pair.copy, .clone, services: services, snapshot: before)
                clones.append(clone)
                if let change = clone.change { changes.append(change) }
            }
            // The VM's disks that are replaced go, files last (after their records).
            for current in pairs.compactMap(\.current) {
                guard let record = before[current], let folder = services.vhdFolder(of: record.sr, in: before), record.managed else { continue }
                let journal = try storageOperation { () throws(VHDError) in try folder.beginDestroy(record.location) }
                changes.append(FileChange(folder: folder, journal: journal))
            }
        } catch {
            FileChange.undo(changes)
            throw error
        }
        let after = services.database.snapshot
        let spaces = Set(clones.map(\.sr)).sorted { $0.rawValue < $1.rawValue }.compactMap {
            SRSpace.measure($0, services: services, snapshot: after)
        }
        try await FileChange.committing(changes) { () throws(XenAPIError) in
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                let taken = try tx.snapshot.require(snapshot)
                let target = try tx.snapshot.require(vm.ref)
                try Self.assertHalted(target)
                try restoreConfiguration(of: vm.ref, from: taken, in: &tx)
                try restoreInterfaces(of: target, from: taken, in: &tx)
                for (pair, clone) in zip(pairs, clones) {
                    let fresh = try clone.record(try tx.snapshot.require(pair.copy.ref), services: services, in: &tx)
                    if let name = tx.snapshot[pair.current ?? .null]?.nameLabel { try tx.set(fresh, \.nameLabel, name) }
                    let replaced = pair.current.flatMap { tx.snapshot[$0] }
                    let drives = target.vbds.compactMap { tx.snapshot[$0] }
                    if let replaced {
                        for drive in drives where drive.vdi == replaced.ref { try tx.set(drive.ref, \.vdi, fresh) }
                        for vbd in replaced.vbds where tx.snapshot[vbd]?.vm != vm.ref { try tx.delete(vbd) }
                        try tx.delete(replaced.ref)
                    } else if let model = taken.vbds.compactMap({ tx.snapshot[$0] }).first(where: { $0.vdi == pair.copy.ref }) {
                        var record = model.record
                        record.uuid = services.environment.makeUUID()
                        record.vm = vm.ref
                        record.vdi = fresh
                        record.currentlyAttached = false
                        record.currentOperations = [:]
                        try tx.insert(services.makeRef(VBD.self), record)
                    }
                }
                for space in spaces { try space.record(in: &tx) }
                try Self.refreshAllowedOperations(&tx, vm.ref)
            }
        }
        // As after any disk is deleted, the SRs' collectors run (and delete the replaced files).
        let replacedSRs = Set(pairs.compactMap { $0.current.flatMap { before[$0]?.sr } })
        for sr in replacedSRs.sorted(by: { $0.rawValue < $1.rawValue }) { GarbageCollection.kick(sr, services: services) }
    }

    private static func assertHalted(_ vm: ObjectView<VM>) throws(XenAPIError) {
        guard vm.powerState == .halted else {
            throw XenAPIError.vmBadPowerState(vm: vm.ref.rawValue, expected: "halted", actual: vm.powerState.rawValue.lowercased())
        }
    }

    /// The snapshot's configuration, back on the VM: memory, VCPUs, boot and platform settings,
    /// and its other-config (the VM keeps its name, uuid and MAC seed).
    private func restoreConfiguration(of vm: Ref<VM>, from taken: ObjectView<VM>, in tx: inout Transaction) throws(XenAPIError) {
        let saved = taken.record
        try tx.update(vm) { record in
            record.memoryStaticMax = saved.memoryStaticMax
            record.memoryStaticMin = saved.memoryStaticMin
            record.memoryDynamicMax = saved.memoryDynamicMax
            record.memoryDynamicMin = saved.memoryDynamicMin
            record.vcpusMax = saved.vcpusMax
            record.vcpusAtStartup = saved.vcpusAtStartup
            record.vcpusParams = saved.vcpusParams
            record.platform = saved.platform
            record.hvmBootPolicy = saved.hvmBootPolicy
            record.hvmBootParams = saved.hvmBootParams
            record.pvBootloader = saved.pvBootloader
            record.pvArgs = saved.pvArgs
            record.actionsAfterShutdown = saved.actionsAfterShutdown
            record.actionsAfterReboot = saved.actionsAfterReboot
            record.actionsAfterCrash = saved.actionsAfterCrash
            var other = saved.otherConfig
            other["mac_seed"] = record.otherConfig["mac_seed"]
            record.otherConfig = other
        }
        try CreationRules.afterChange[VM.className]?(&tx, vm.rawValue)
    }

    /// The VM's interfaces become the snapshot's, with the MACs the snapshot kept.
    private func restoreInterfaces(of vm: ObjectView<VM>, from taken: ObjectView<VM>, in tx: inout Transaction) throws(XenAPIError) {
        for vif in vm.vifs where tx.snapshot.contains(vif) { try tx.delete(vif) }
        for vif in taken.vifs {
            guard var record = tx.snapshot[vif]?.record else { continue }
            record.uuid = services.environment.makeUUID()
            record.vm = vm.ref
            record.currentOperations = [:]
            record.currentlyAttached = false
            let ref = services.makeRef(VIF.self)
            try tx.insert(ref, record)
            try CreationRules.vif(&tx, ref)
        }
    }
}
