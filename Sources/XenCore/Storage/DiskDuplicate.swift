import XenAPI
import XenDB
import XenStorage

/// The files made for a new disk from an existing one: a clone's or snapshot's double snapshot
/// (the original's content moved into a hidden base copy), or a full copy. `files` is `nil`
/// for a disk whose SR keeps no files here.
struct DiskDuplicate: Sendable {
    enum Kind: Sendable, Equatable {
        case clone
        case snapshot(at: DateTime)
        case copy
    }

    var original: Ref<VDI>
    var uuid: String
    var sr: Ref<SR>
    var kind: Kind
    var files: VHDFacts?
    /// The new hidden base copy holding the original's content.
    var base: VHDFacts?
    /// The original's own file afterwards (an empty child of the base).
    var originalLeaf: VHDFacts?
    var change: FileChange?

    /// Makes the files: a double snapshot for a clone or snapshot (refused once the chain is
    /// as deep as SM allows), a full copy into `target` (or the original's SR) for a copy.
    static func make(
        of vdi: ObjectView<VDI>, _ kind: Kind, into target: Ref<SR>? = nil, services: CoreServices, snapshot: Snapshot
    ) throws(XenAPIError) -> DiskDuplicate {
        let uuid = services.environment.makeUUID()
        let sr = target ?? vdi.sr
        var made = DiskDuplicate(original: vdi.ref, uuid: uuid, sr: sr, kind: kind)
        guard let source = services.vhdFolder(of: vdi.sr, in: snapshot) else {
            guard services.vhdFolder(of: sr, in: snapshot) == nil else { throw XenAPIError.srOperationNotSupported(sr: vdi.sr.rawValue) }
            return made
        }
        _ = try services.storageHost(of: vdi.sr, in: snapshot)
        guard source.exists(vdi.location) else { throw XenAPIError.vdiMissing(sr: vdi.sr.rawValue, vdi: vdi.ref.rawValue) }
        let timestamp = VHDFolder.timestamp(unixSeconds: services.environment.wallClockSeconds())
        switch kind {
        case .copy:
            guard let destination = services.vhdFolder(of: sr, in: snapshot) else { throw XenAPIError.srOperationNotSupported(sr: sr.rawValue) }
            _ = try services.storageHost(of: sr, in: snapshot)
            let facts = try storageOperation { () throws(VHDError) in
                try destination.copy(source.chain(vdi.location), uuid: uuid, timestamp: timestamp)
            }
            made.files = facts
            made.change = FileChange(folder: destination, journal: .create(vdi: uuid))
        case .clone, .snapshot:
            guard try storageOperation({ () throws(VHDError) in try source.chainDepth(vdi.location) }) < VHDChain.maximumDepth else {
                throw XenAPIError.snapshotChainTooLong
            }
            let base = services.environment.makeUUID()
            let files = try storageOperation { () throws(VHDError) in
                try source.snapshot(vdi.location, base: base, clones: [uuid], timestamp: timestamp)
            }
            made.files = files.clones.first
            made.base = files.base
            made.originalLeaf = files.leaf
            made.change = FileChange(folder: source, journal: files.journal)
        }
        return made
    }

    /// Records the new disk (and the base copy, and the original's new place in its chain);
    /// returns the new disk.
    func record(_ original: ObjectView<VDI>, services: CoreServices, in tx: inout Transaction) throws(XenAPIError) -> Ref<VDI> {
        if let base { try Self.recordBaseCopy(base, of: original, services: services, in: &tx) }
        if let originalLeaf {
            try tx.update(original.ref) { record in
                record.physicalUtilisation = originalLeaf.physicalSize
                record.smConfig["vhd-parent"] = originalLeaf.parent
            }
        }
        var record = original.record
        record.uuid = uuid
        record.sr = sr
        record.currentOperations = [:]
        record.allowedOperations = []
        record.managed = true
        record.missing = false
        record.isToolsIso = false
        record.parent = .null
        record.snapshotOf = .null
        record.isASnapshot = false
        record.snapshotTime = DateTime(secondsSinceEpoch: 0)
        if let files {
            record.location = files.uuid
            record.virtualSize = files.virtualSize
            record.physicalUtilisation = files.physicalSize
            record.smConfig["vhd-parent"] = files.parent
        } else {
            record.location = uuid
            if kind == .clone { record.parent = original.ref }
        }
        if case .snapshot(let time) = kind {
            record.isASnapshot = true
            record.snapshotOf = original.ref
            record.snapshotTime = time
        }
        let ref = services.makeRef(VDI.self)
        try tx.insert(ref, record)
        return ref
    }

    /// Records a new hidden base copy of `original`'s content: read-only, unmanaged, named as SM
    /// names it.
    static func recordBaseCopy(_ base: VHDFacts, of original: ObjectView<VDI>, services: CoreServices, in tx: inout Transaction) throws(XenAPIError) {
        try tx.insert(services.makeRef(VDI.self)) { record in
            record.uuid = base.uuid
            record.nameLabel = "base copy"
            record.sr = original.sr
            record.virtualSize = base.virtualSize
            record.physicalUtilisation = base.physicalSize
            record.type = original.type
            record.readOnly = true
            record.managed = false
            record.location = base.uuid
            record.smConfig = base.parent.map { ["vhd-parent": $0] } ?? [:]
        }
    }
}
