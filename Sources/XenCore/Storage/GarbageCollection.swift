import XenAPI
import XenDB
import XenStorage

/// The garbage collector of a VHD SR, run as XenServer runs SM's: in the background after a
/// disk is deleted and after every `SR.scan`, then the SR's records reconciled with what it
/// left (base copies it removed forgotten, chains re-pointed). `other_config:coalesce=false` on
/// the SR stops it; `leaf-coalesce=false` on the SR or a disk keeps leaves as they are, and a
/// disk a running VM has plugged is never leaf-coalesced.
enum GarbageCollection {
    /// How long a collection waits after being kicked: deleting a destroyed disk's file while
    /// the operation that destroyed it commits its records stalls that commit (measured in
    /// `VM.resume`: unlinking the 80 MB suspend image made the last commit's `fdatasync` take
    /// 12.5 ms instead of 0.2 ms).
    static let settle: Duration = .milliseconds(500)

    /// Starts a collection of the SR in the background, once the kicking operation has settled.
    static func kick(_ sr: Ref<SR>, services: CoreServices) {
        _ = services.environment.background.submit {
            guard (try? await services.environment.sleep(settle)) != nil else { return }
            try? await collect(sr, services: services)
        }
    }

    /// Deletes the files of the SR's destroyed disks, collects its garbage, then reconciles its
    /// records.
    static func collect(_ sr: Ref<SR>, services: CoreServices) async throws(XenAPIError) {
        let snapshot = services.database.snapshot
        guard let record = snapshot[sr], let folder = services.vhdFolder(of: sr, in: snapshot),
            (try? services.storageHost(of: sr, in: snapshot)) != nil
        else { return }
        try storageOperation { () throws(VHDError) in try folder.emptyTrash() }
        guard record.otherConfig["coalesce"] != "false" else { return }
        var busy: Set<String> = []
        for vdi in record.vdis.compactMap({ snapshot[$0] }) {
            let running = vdi.vbds.contains { vbd in snapshot[snapshot[vbd]?.vm ?? .null].map { $0.powerState != .halted } ?? false }
            if running || vdi.otherConfig["leaf-coalesce"] == "false" || record.otherConfig["leaf-coalesce"] == "false" {
                busy.insert(vdi.location)
            }
        }
        if record.otherConfig["leaf-coalesce"] == "false" {
            busy.formUnion(record.vdis.compactMap { snapshot[$0]?.location })
        }
        let actions = try storageOperation { () throws(VHDError) in try VHDGarbageCollector(folder: folder, busy: busy).run() }
        guard !actions.isEmpty else { return }
        try await SRScan.run(sr, services: services)
    }
}
