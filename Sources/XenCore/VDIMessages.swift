import XenAPI
import XenDB
import XenStorage

/// `VDI.*` custom messages: making and deleting disks as files in their SR, snapshots and
/// clones (SM's double snapshot), full copies, resizing, and changed-block tracking.
struct VDIMessages: VDIActions {
    let services: CoreServices

    func create(_ context: CallContext, args: VDI) async throws -> Ref<VDI> {
        try RollingUpgrade.assertStorageOperationAllowed(in: services.database.snapshot)
        return try await make(args)
    }

    /// Makes the disk `args` describes, its file first, then its record (what `VDI.create` does
    /// once the pool allows it; the toolstack's own disks, such as suspend images, come here
    /// directly, as xapi's internal calls do during a rolling upgrade).
    func make(_ args: VDI) async throws(XenAPIError) -> Ref<VDI> {
        let services = self.services
        let snapshot = services.database.snapshot
        let sr = try snapshot.require(args.sr)
        guard let kind = SRKind(type: sr.type) else { throw XenAPIError.srOperationNotSupported(sr: args.sr.rawValue) }
        _ = try services.storageHost(of: args.sr, in: snapshot)
        guard let path = services.srFolder(of: args.sr, in: snapshot) else { throw XenAPIError.srOperationNotSupported(sr: args.sr.rawValue) }
        let uuid = services.environment.makeUUID()
        var record = args
        record.uuid = uuid
        record.managed = true
        record.missing = false
        record.currentOperations = [:]
        record.allowedOperations = []
        record.isASnapshot = false
        record.snapshotOf = .null
        record.parent = .null
        var changes: [FileChange] = []
        switch kind {
        case .vhdFolder:
            guard let size = VHDFolder.roundedSize(args.virtualSize) else { throw XenAPIError.invalidVDISize }
            let folder = VHDFolder(path: path)
            let timestamp = VHDFolder.timestamp(unixSeconds: services.environment.wallClockSeconds())
            let facts = try storageOperation { () throws(VHDError) in try folder.create(uuid: uuid, size: size, timestamp: timestamp) }
            changes.append(FileChange(folder: folder, journal: .create(vdi: uuid)))
            record.location = uuid
            record.virtualSize = facts.virtualSize
            record.physicalUtilisation = facts.physicalSize
            record.smConfig["vhd-parent"] = nil
        case .isoLibrary:
            guard args.virtualSize >= 0 else { throw XenAPIError.invalidVDISize }
            let name = args.smConfig["path"] ?? uuid + ".img"
            try storageOperation { () throws(VHDError) in try ISOLibrary(path: path).create(name: name, size: args.virtualSize) }
            record.location = name
            record.physicalUtilisation = args.virtualSize
        }
        let ref = services.makeRef(VDI.self)
        let space = SRSpace.measure(args.sr, services: services, snapshot: snapshot)
        do {
            try await FileChange.committing(changes) { () throws(XenAPIError) in
                try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                    try tx.insert(ref, record)
                    try space?.record(in: &tx)
                }
            }
        } catch {
            if kind == .isoLibrary { try? ISOLibrary(path: path).remove(name: record.location) }
            throw error
        }
        return ref
    }

    func destroy(_ context: CallContext, object vdi: Ref<VDI>) async throws {
        try RollingUpgrade.assertStorageOperationAllowed(in: services.database.snapshot)
        try await remove(vdi, operation: "destroy", deletingFile: true)
    }

    func forget(_ context: CallContext, vdi: Ref<VDI>) async throws {
        try await remove(vdi, operation: "forget", deletingFile: false)
    }

    /// Removes a disk the toolstack made for itself (a suspend image), file and record.
    func destroyOwn(_ vdi: Ref<VDI>) async throws(XenAPIError) {
        try await remove(vdi, operation: "destroy", deletingFile: true)
    }

    /// Removes the disk's record and its drives' (refused while a running VM has it plugged),
    /// and, for `destroy`, its file.
    private func remove(_ vdi: Ref<VDI>, operation: String, deletingFile: Bool) async throws(XenAPIError) {
        let services = self.services
        let snapshot = services.database.snapshot
        let record = try snapshot.require(vdi)
        try Self.assertUnplugged(record, operation, in: snapshot)
        var changes: [FileChange] = []
        if deletingFile {
            if let folder = services.vhdFolder(of: record.sr, in: snapshot) {
                _ = try services.storageHost(of: record.sr, in: snapshot)
                guard record.managed else {
                    throw XenAPIError.operationNotAllowed(reason: "base copies are removed by the SR's garbage collector")
                }
                let journal = try storageOperation { () throws(VHDError) in try folder.beginDestroy(record.location) }
                changes.append(FileChange(folder: folder, journal: journal))
            } else if let path = services.srFolder(of: record.sr, in: snapshot), snapshot[record.sr]?.type == "iso" {
                _ = try services.storageHost(of: record.sr, in: snapshot)
                try storageOperation { () throws(VHDError) in try ISOLibrary(path: path).remove(name: record.location) }
            }
        }
        try await FileChange.committing(changes) { () throws(XenAPIError) in
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                let current = try tx.snapshot.require(vdi)
                try Self.assertUnplugged(current, operation, in: tx.snapshot)
                // Like xapi: the drives that held the disk go now, not at the next GC.
                for vbd in current.vbds where tx.snapshot.contains(vbd) { try tx.delete(vbd) }
                try tx.delete(vdi)
            }
        }
        if let space = SRSpace.measure(record.sr, services: services, snapshot: services.database.snapshot) {
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in try space.record(in: &tx) }
        }
        if deletingFile { GarbageCollection.kick(record.sr, services: services) }
    }

    /// `VDI_IN_USE [vdi, operation]` while a drive of a running, paused or suspended VM has it.
    static func assertUnplugged(_ vdi: ObjectView<VDI>, _ operation: String, in snapshot: Snapshot) throws(XenAPIError) {
        for vbd in vdi.vbds {
            guard let drive = snapshot[vbd] else { continue }
            if drive.currentlyAttached || (snapshot[drive.vm].map { $0.powerState != .halted } ?? false) {
                throw XenAPIError.vdiInUse(vdi: vdi.ref.rawValue, operation: operation)
            }
        }
    }

    func snapshot(_ context: CallContext, vdi: Ref<VDI>, driverParams: [String: String]) async throws -> Ref<VDI> {
        try RollingUpgrade.assertStorageOperationAllowed(in: services.database.snapshot)
        return try await duplicate(vdi, .snapshot(at: services.now()))
    }

    func clone(_ context: CallContext, vdi: Ref<VDI>, driverParams: [String: String]) async throws -> Ref<VDI> {
        try await duplicate(vdi, .clone)
    }

    func copy(_ context: CallContext, vdi: Ref<VDI>, sr: Ref<SR>, baseVDI: Ref<VDI>, intoVDI: Ref<VDI>) async throws -> Ref<VDI> {
        let snapshot = services.database.snapshot
        let target = try snapshot.require(sr)
        guard SRKind(type: target.type) == .vhdFolder else { throw XenAPIError.srOperationNotSupported(sr: sr.rawValue) }
        return try await duplicate(vdi, .copy, into: sr)
    }

    /// A clone, snapshot or copy of one disk: files first, then the records in one write; a
    /// clone or snapshot of a disk in use pauses it meanwhile.
    private func duplicate(_ vdi: Ref<VDI>, _ kind: DiskDuplicate.Kind, into target: Ref<SR>? = nil) async throws(XenAPIError) -> Ref<VDI> {
        let services = self.services
        let snapshot = services.database.snapshot
        let original = try snapshot.require(vdi)
        let pause = try DiskPause(kind == .copy ? [] : [original], services: services, snapshot: snapshot)
        return try await pause.around { () async throws(XenAPIError) -> Ref<VDI> in
            let made = try DiskDuplicate.make(of: original, kind, into: target, services: services, snapshot: snapshot)
            let after = made.change.map { _ in services.database.snapshot } ?? snapshot
            let spaces = Set([original.sr, made.sr].map(\.rawValue)).compactMap {
                SRSpace.measure(Ref($0), services: services, snapshot: after)
            }
            return try await FileChange.committing(made.change.map { [$0] } ?? []) { () throws(XenAPIError) in
                try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                    let current = try tx.snapshot.require(vdi)
                    let ref = try made.record(current, services: services, in: &tx)
                    for space in spaces { try space.record(in: &tx) }
                    return ref
                }
            }
        }
    }

    func resize(_ context: CallContext, vdi: Ref<VDI>, size: Int64) async throws {
        try await resize(vdi, to: size, online: false)
    }

    func resizeOnline(_ context: CallContext, vdi: Ref<VDI>, size: Int64) async throws {
        try await resize(vdi, to: size, online: true)
    }

    /// Disks grow only (rounded up to 2 MiB, as SM rounds); offline, none of the disk's VBDs
    /// may be plugged into a running VM.
    private func resize(_ vdi: Ref<VDI>, to requested: Int64, online: Bool) async throws(XenAPIError) {
        try RollingUpgrade.assertStorageOperationAllowed(in: services.database.snapshot)
        let services = self.services
        let snapshot = services.database.snapshot
        let record = try snapshot.require(vdi)
        if !online, record.vbds.contains(where: { snapshot[$0]?.currentlyAttached == true }) {
            throw XenAPIError.vdiInUse(vdi: vdi.rawValue, operation: "resize")
        }
        guard requested >= record.virtualSize else {
            throw XenAPIError.vdiTooSmall(vdi: vdi.rawValue, minimumSize: String(record.virtualSize))
        }
        var size = requested
        var physical = record.physicalUtilisation
        if let folder = services.vhdFolder(of: record.sr, in: snapshot) {
            _ = try services.storageHost(of: record.sr, in: snapshot)
            guard let rounded = VHDFolder.roundedSize(requested) else { throw XenAPIError.invalidVDISize }
            size = rounded
            if size != record.virtualSize {
                let timestamp = VHDFolder.timestamp(unixSeconds: services.environment.wallClockSeconds())
                let facts = try storageOperation { () throws(VHDError) in try folder.resize(record.location, to: rounded, timestamp: timestamp) }
                physical = facts.physicalSize
            }
        }
        let space = SRSpace.measure(record.sr, services: services, snapshot: snapshot)
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.update(vdi) { record in
                record.virtualSize = size
                record.physicalUtilisation = physical
            }
            try space?.record(in: &tx)
        }
    }

    func enableCbt(_ context: CallContext, object vdi: Ref<VDI>) async throws {
        try await setCBT(vdi, true)
    }

    func disableCbt(_ context: CallContext, object vdi: Ref<VDI>) async throws {
        try await setCBT(vdi, false)
    }

    private func setCBT(_ vdi: Ref<VDI>, _ enabled: Bool) async throws(XenAPIError) {
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            _ = try tx.snapshot.require(vdi)
            try Licensing.assertEnabled("restrict_cbt", feature: "CBT", in: tx.snapshot, at: now)
            try tx.set(vdi, \.cbtEnabled, enabled)
        }
    }
}
