import XenAPI
import XenDB
import XenStorage

/// An SR's space as its storage reports it: the bytes its files take and the bytes free on the
/// file system under them. Measured before a write, recorded inside it.
struct SRSpace: Sendable {
    var sr: Ref<SR>
    var used: Int64
    var available: Int64

    /// Measures a file SR's folder; `nil` for an SR without one, or whose folder is unreachable.
    static func measure(_ sr: Ref<SR>, services: CoreServices, snapshot: Snapshot) -> SRSpace? {
        guard let path = services.srFolder(of: sr, in: snapshot) else { return nil }
        let space: (used: Int64, available: Int64)?
        if snapshot[sr]?.type == "iso" {
            space = try? ISOLibrary(path: path).space()
        } else {
            space = try? VHDFolder(path: path).space()
        }
        return space.map { SRSpace(sr: sr, used: $0.used, available: $0.available) }
    }

    /// Sets the SR's physical utilisation and size, and its virtual allocation (the sum of its
    /// disks' virtual sizes), as SM's `SR.update` does, and the SR's and its disks'
    /// `allowed_operations`.
    func record(in tx: inout Transaction) throws(XenAPIError) {
        guard let record = tx.snapshot[sr] else { return }
        let allocation = record.vdis.reduce(Int64(0)) { $0 + (tx.snapshot[$1]?.virtualSize ?? 0) }
        try tx.update(sr) { record in
            record.physicalUtilisation = used
            record.physicalSize = used + available
            record.virtualAllocation = allocation
        }
        try StorageRules.refresh(sr, in: &tx)
    }
}
