import XenAPI
import XenBackend
import XenDB
import XenStorage

/// What a running guest wrote to its disks, applied to their files: with the simulator, the
/// guest's writes (which it reports through `Hypervisor.guestDiskWrites`) land in each disk's
/// leaf VHD as a real guest's would, so chains grow after snapshots and the garbage collector
/// has real work. Taken before the operations that stop, move or snapshot a running VM.
enum GuestDiskWrites {
    /// Applies what the VM's guest wrote since last asked; a write that cannot land is dropped
    /// (the guest's I/O error, not the operation's).
    static func apply(_ vm: VM, services: CoreServices) async {
        let snapshot = services.database.snapshot
        guard vm.powerState == .running || vm.powerState == .paused,
            let hypervisor = try? services.hypervisor(of: vm.residentOn, in: snapshot)
        else { return }
        let writes = await hypervisor.guestDiskWrites(vm.uuid)
        guard !writes.isEmpty else { return }
        var touched: [Ref<VDI>: VHDFacts] = [:]
        var srs: Set<Ref<SR>> = []
        for write in writes {
            guard let drive = vm.vbds.compactMap({ snapshot[$0] }).first(where: { $0.type == .disk && $0.userdevice == String(write.disk) }),
                let disk = snapshot[drive.vdi], !disk.readOnly, let folder = services.vhdFolder(of: disk.sr, in: snapshot)
            else { continue }
            let length = Int64(write.length)
            guard disk.virtualSize > length else { continue }
            let offset = Int64(write.position % UInt64((disk.virtualSize - length) / 4096 + 1)) * 4096
            if let facts = try? folder.write(disk.location, at: offset, pattern(write.seed, count: write.length)) {
                touched[disk.ref] = facts
                srs.insert(disk.sr)
            }
        }
        let spaces = srs.sorted { $0.rawValue < $1.rawValue }.compactMap { SRSpace.measure($0, services: services, snapshot: snapshot) }
        try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for (vdi, facts) in touched where tx.snapshot.contains(vdi) { try tx.set(vdi, \.physicalUtilisation, facts.physicalSize) }
            for space in spaces { try space.record(in: &tx) }
        }
    }

    /// The bytes a write puts down: a pattern made from its seed (so content checks can tell writes apart).
    static func pattern(_ seed: UInt64, count: Int) -> [UInt8] {
        var state = seed | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }
}
