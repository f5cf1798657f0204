import XenAPI
import XenDB

/// What may be done to an SR and to each of its disks, as `allowed_operations` tells clients
/// (XenCenter greys out what is not there): by the SR's kind, and for a disk by what it is (a
/// user's disk, a base copy, a disc) and whether a VM that is not halted has it.
enum StorageRules {
    static func srOperations(_ sr: ObjectView<SR>, in snapshot: Snapshot) -> [StorageOperations] {
        let operations = kindOperations(sr)
        guard RollingUpgrade.inProgress(snapshot) else { return operations }
        return operations.filter(RollingUpgrade.storageOperations.contains)
    }

    static func vdiOperations(_ vdi: ObjectView<VDI>, in snapshot: Snapshot) -> [VDIOperations] {
        let operations = stateOperations(vdi, in: snapshot)
        guard RollingUpgrade.inProgress(snapshot) else { return operations }
        return operations.filter(RollingUpgrade.vdiOperations.contains)
    }

    /// What the SR's kind allows.
    private static func kindOperations(_ sr: ObjectView<SR>) -> [StorageOperations] {
        guard let kind = SRKind(type: sr.type) else { return [.forget] }
        let common: [StorageOperations] = [.scan, .destroy, .forget, .plug, .unplug, .update, .pbdCreate, .pbdDestroy]
        switch kind {
        case .vhdFolder:
            return common + [.vdiCreate, .vdiIntroduce, .vdiDestroy, .vdiResize, .vdiClone, .vdiSnapshot, .vdiEnableCbt, .vdiDisableCbt, .vdiSetOnBoot]
        case .isoLibrary:
            return sr.isToolsSR ? [.scan, .plug, .unplug, .update, .pbdCreate, .pbdDestroy] : common + [.vdiCreate, .vdiIntroduce, .vdiDestroy]
        }
    }

    /// What the disk's kind and use allow.
    private static func stateOperations(_ vdi: ObjectView<VDI>, in snapshot: Snapshot) -> [VDIOperations] {
        guard let sr = snapshot[vdi.sr], let kind = SRKind(type: sr.type) else { return [.forget] }
        if kind == .isoLibrary { return vdi.isToolsIso ? [] : [.destroy, .forget, .update] }
        guard vdi.managed else { return [.update] }
        let inUse = (try? VDIMessages.assertUnplugged(vdi, "", in: snapshot)) == nil
        if inUse { return [.clone, .copy, .snapshot, .resizeOnline, .update, .generateConfig, .enableCbt, .disableCbt] }
        return [
            .clone, .copy, .destroy, .forget, .resize, .resizeOnline, .snapshot, .update, .generateConfig, .enableCbt,
            .disableCbt, .setOnBoot,
        ]
    }

    /// Brings the SR's and its disks' `allowed_operations` up to date.
    static func refresh(_ sr: Ref<SR>, in tx: inout Transaction) throws(XenAPIError) {
        guard let record = tx.snapshot[sr] else { return }
        let allowed = srOperations(record, in: tx.snapshot)
        if record.allowedOperations != allowed { try tx.set(sr, \.allowedOperations, allowed) }
        for vdi in record.vdis { try refresh(vdi, in: &tx) }
    }

    /// Brings one disk's `allowed_operations` up to date.
    static func refresh(_ vdi: Ref<VDI>, in tx: inout Transaction) throws(XenAPIError) {
        guard let record = tx.snapshot[vdi] else { return }
        let allowed = vdiOperations(record, in: tx.snapshot)
        if record.allowedOperations != allowed { try tx.set(vdi, \.allowedOperations, allowed) }
    }
}
