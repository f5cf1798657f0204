import XenAPI
import XenDB

/// `PBD.plug` and `PBD.unplug`: connecting a host to an SR's storage and disconnecting it.
struct PBDMessages: PBDActions {
    let services: CoreServices

    func plug(_ context: CallContext, object pbd: Ref<PBD>) async throws {
        try await plug(pbd)
    }

    /// Readies the storage on the host (mounting a share) and marks the connection attached; a
    /// PBD already plugged is left as it is.
    func plug(_ pbd: Ref<PBD>) async throws(XenAPIError) {
        let services = self.services
        let snapshot = services.database.snapshot
        let record = try snapshot.require(pbd)
        guard !record.currentlyAttached else { return }
        let host = try snapshot.require(record.host)
        guard snapshot[host.metrics]?.live == true else { throw XenAPIError.hostOffline(host: record.host.rawValue) }
        let sr = try snapshot.require(record.sr)
        try SRAttachment.attach(sr, config: record.deviceConfig, services: services, snapshot: snapshot)
        let space = SRSpace.measure(record.sr, services: services, snapshot: snapshot)
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.set(pbd, \.currentlyAttached, true)
            try space?.record(in: &tx)
        }
    }

    /// Refused (`VDI_IN_USE`) while a VM on the host uses one of the SR's disks.
    func unplug(_ context: CallContext, object pbd: Ref<PBD>) async throws {
        let services = self.services
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let record = try tx.snapshot.require(pbd)
            guard record.currentlyAttached else { return }
            let sr = try tx.snapshot.require(record.sr)
            for vdi in sr.vdis {
                for vbd in tx.snapshot[vdi]?.vbds ?? [] {
                    guard let drive = tx.snapshot[vbd], let vm = tx.snapshot[drive.vm], vm.powerState != .halted,
                        vm.residentOn == record.host || sr.shared == false
                    else { continue }
                    throw XenAPIError.vdiInUse(vdi: vdi.rawValue, operation: "unplug")
                }
            }
            try tx.set(pbd, \.currentlyAttached, false)
        }
        let after = services.database.snapshot
        if let record = after[pbd], let sr = after[record.sr] {
            SRAttachment.detach(sr, services: services, snapshot: after, except: pbd)
        }
    }
}
