import XenAPI
import XenDB
import XenStorage

/// Start-up for the file SRs: each attached SR's folder is made ready; operations a crash
/// interrupted are finished if the database recorded them and undone if not, the files of
/// destroyed disks still in the trash deleted; disks recorded
/// before their SR kept files get an empty file of their size; and each SR's sizes are measured.
enum StorageRecovery {
    static func run(_ services: CoreServices) async throws(XenAPIError) {
        let snapshot = services.database.snapshot
        var spaces: [SRSpace] = []
        var created: [(vdi: Ref<VDI>, facts: VHDFacts)] = []
        for sr in snapshot.objects(SR.self) {
            let attached = sr.pbds.contains { snapshot[$0]?.currentlyAttached == true }
            guard attached else { continue }
            if let folder = services.vhdFolder(of: sr.ref, in: snapshot) {
                if sr.type == "ext" { try storageOperation { () throws(VHDError) in try folder.prepare() } }
                let locations = Set(sr.vdis.compactMap { snapshot[$0]?.location })
                for journal in (try? folder.pendingJournals()) ?? [] {
                    if journal.isCommitted(knownVDI: locations.contains) {
                        try? folder.finish(journal)
                    } else {
                        try? folder.rollBack(journal)
                    }
                }
                try? folder.emptyTrash()
                let timestamp = VHDFolder.timestamp(unixSeconds: services.environment.wallClockSeconds())
                for vdi in sr.vdis.compactMap({ snapshot[$0] }) where vdi.managed {
                    let location = vdi.location.isEmpty ? vdi.uuid : vdi.location
                    guard !folder.exists(location), let size = VHDFolder.roundedSize(vdi.virtualSize) else { continue }
                    let facts = try storageOperation { () throws(VHDError) in
                        let facts = try folder.create(uuid: location, size: size, timestamp: timestamp)
                        try folder.finish(.create(vdi: location))
                        return facts
                    }
                    created.append((vdi.ref, facts))
                }
            }
            if let space = SRSpace.measure(sr.ref, services: services, snapshot: snapshot) { spaces.append(space) }
        }
        guard !spaces.isEmpty || !created.isEmpty else { return }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for (vdi, facts) in created where tx.snapshot.contains(vdi) {
                try tx.update(vdi) { record in
                    record.location = facts.uuid
                    record.virtualSize = facts.virtualSize
                    record.physicalUtilisation = facts.physicalSize
                }
            }
            for space in spaces { try space.record(in: &tx) }
        }
    }
}
