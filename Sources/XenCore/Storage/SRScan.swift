import XenAPI
import XenDB
import XenStorage

/// `SR.scan`: the SR's disk records made to agree with its files, as SM's scan and xapi's
/// `update_vdis` do. A file without a record is introduced (a hidden VHD with children as a
/// read-only "base copy"; hidden leaves are garbage and left to the collector); a record whose
/// file is gone is forgotten, or marked missing while a VM uses it. Files an operation in
/// progress has journalled are left alone.
enum SRScan {
    /// What the storage holds, read before the write that records it.
    private enum Contents {
        case disks([VHDFacts], busy: Set<String>)
        case images([ISOLibrary.Image])
    }

    static func run(_ sr: Ref<SR>, services: CoreServices) async throws(XenAPIError) {
        let snapshot = services.database.snapshot
        let record = try snapshot.require(sr)
        _ = try services.storageHost(of: sr, in: snapshot)
        guard let kind = SRKind(type: record.type), let path = services.srFolder(of: sr, in: snapshot) else {
            throw XenAPIError.srOperationNotSupported(sr: sr.rawValue)
        }
        let contents: Contents
        switch kind {
        case .vhdFolder:
            let folder = VHDFolder(path: path)
            let (disks, busy) = try storageOperation { () throws(VHDError) in
                (try folder.scan().disks, Set(try folder.pendingJournals().flatMap(\.uuids)))
            }
            contents = .disks(disks, busy: busy)
        case .isoLibrary:
            contents = .images(try storageOperation { () throws(VHDError) in try ISOLibrary(path: path).scan() })
        }
        let space = SRSpace.measure(sr, services: services, snapshot: snapshot)
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            switch contents {
            case .disks(let disks, let busy): try reconcile(sr, disks: disks, busy: busy, services: services, in: &tx)
            case .images(let images): try reconcile(sr, images: images, services: services, in: &tx)
            }
            try space?.record(in: &tx)
        }
    }

    private static func reconcile(
        _ sr: Ref<SR>, disks: [VHDFacts], busy: Set<String>, services: CoreServices, in tx: inout Transaction
    ) throws(XenAPIError) {
        let records = Dictionary(
            try tx.snapshot.require(sr).vdis.compactMap { tx.snapshot[$0] }.map { ($0.location, $0.ref) }, uniquingKeysWith: { a, _ in a })
        let parents = Set(disks.compactMap(\.parent))
        for disk in disks where !busy.contains(disk.uuid) {
            if let ref = records[disk.uuid] {
                try tx.update(ref) { record in
                    record.virtualSize = disk.virtualSize
                    record.physicalUtilisation = disk.physicalSize
                    record.smConfig["vhd-parent"] = disk.parent
                    record.missing = false
                }
            } else if !disk.hidden || parents.contains(disk.uuid) {
                let uuid = tx.snapshot.ref(VDI.self, uuid: disk.uuid) == nil ? disk.uuid : services.environment.makeUUID()
                try tx.insert(services.makeRef(VDI.self)) { record in
                    record.uuid = uuid
                    record.nameLabel = disk.hidden ? "base copy" : ""
                    record.sr = sr
                    record.virtualSize = disk.virtualSize
                    record.physicalUtilisation = disk.physicalSize
                    record.type = .user
                    record.readOnly = disk.hidden
                    record.managed = !disk.hidden
                    record.location = disk.uuid
                    record.smConfig = disk.parent.map { ["vhd-parent": $0] } ?? [:]
                }
            }
        }
        let present = Set(disks.map(\.uuid)).union(busy)
        try forgetGone(records.filter { !present.contains($0.key) }.map(\.value), in: &tx)
    }

    private static func reconcile(_ sr: Ref<SR>, images: [ISOLibrary.Image], services: CoreServices, in tx: inout Transaction) throws(XenAPIError) {
        let library = try tx.snapshot.require(sr)
        let records = Dictionary(
            library.vdis.compactMap { tx.snapshot[$0] }.map { ($0.location, $0.ref) }, uniquingKeysWith: { a, _ in a })
        for image in images {
            if let ref = records[image.name] {
                try tx.update(ref) { record in
                    record.virtualSize = image.size
                    record.physicalUtilisation = image.size
                    record.missing = false
                }
                continue
            }
            // A file named by a uuid gets that uuid, as SM gives it.
            let stem = String(image.name.dropLast(4))
            let uuid = isUUID(stem) && tx.snapshot.ref(VDI.self, uuid: stem) == nil ? stem : services.environment.makeUUID()
            try tx.insert(services.makeRef(VDI.self)) { record in
                record.uuid = uuid
                record.nameLabel = image.name
                record.sr = sr
                record.virtualSize = image.size
                record.physicalUtilisation = image.size
                record.type = .user
                record.readOnly = true
                record.sharable = true
                record.managed = true
                record.location = image.name
                record.isToolsIso = library.isToolsSR
            }
        }
        let present = Set(images.map(\.name))
        try forgetGone(records.filter { !present.contains($0.key) }.map(\.value), in: &tx)
    }

    /// Records whose files are gone: forgotten with their drives, unless a VM that is not halted
    /// has one (then marked missing).
    private static func forgetGone(_ gone: [Ref<VDI>], in tx: inout Transaction) throws(XenAPIError) {
        for ref in gone.sorted(by: { $0.rawValue < $1.rawValue }) {
            guard let record = tx.snapshot[ref] else { continue }
            if (try? VDIMessages.assertUnplugged(record, "forget", in: tx.snapshot)) == nil {
                try tx.set(ref, \.missing, true)
                continue
            }
            for vbd in record.vbds where tx.snapshot.contains(vbd) {
                if tx.snapshot[vbd]?.type == .cd {
                    try tx.update(vbd) { drive in
                        drive.vdi = .null
                        drive.empty = true
                    }
                } else {
                    try tx.delete(vbd)
                }
            }
            try tx.delete(ref)
        }
    }

    static func isUUID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.map(\.count) == [8, 4, 4, 4, 12] && parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}
