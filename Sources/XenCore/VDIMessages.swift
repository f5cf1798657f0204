import XenAPI
import XenDB

/// `VDI.*` custom messages: resizing (at the level of records until the storage layer backs
/// disks with files), and changed-block tracking, a Premium feature.
struct VDIMessages: VDIActions {
    let services: CoreServices

    func resize(_ context: CallContext, vdi: Ref<VDI>, size: Int64) async throws {
        try await resize(vdi, to: size, online: false)
    }

    func resizeOnline(_ context: CallContext, vdi: Ref<VDI>, size: Int64) async throws {
        try await resize(vdi, to: size, online: true)
    }

    /// Disks grow only; offline, none of the disk's VBDs may be plugged into a running VM.
    private func resize(_ vdi: Ref<VDI>, to size: Int64, online: Bool) async throws(XenAPIError) {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let record = try tx.snapshot.require(vdi)
            if !online, record.vbds.contains(where: { tx.snapshot[$0]?.currentlyAttached == true }) {
                throw XenAPIError.vdiInUse(vdi: vdi.rawValue, operation: "resize")
            }
            guard size >= record.virtualSize else {
                throw XenAPIError.vdiTooSmall(vdi: vdi.rawValue, minimumSize: String(record.virtualSize))
            }
            try tx.set(vdi, \.virtualSize, size)
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
