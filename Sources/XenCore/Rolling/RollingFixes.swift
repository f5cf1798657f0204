import XenAPI
import XenDB

/// The safe fixes a rolling operation makes to start (`auto_fix=true`) and puts back when it
/// ends, as `Rolling_operation.auto_fixes` records them: `ha:<heartbeat SR uuids>`, `wlb`,
/// `cd:<VM uuid>` (a disc ejected for good: the VM may end up where the library is not).
enum RollingFixes {
    /// Ejects the discs (telling each VM's hypervisor, as `VBD.eject` does); returns what to record.
    static func ejectDiscs(_ fixes: [RollingPrecheck.Fix], services: CoreServices) async throws(XenAPIError) -> [String] {
        var made: [String] = []
        for case .ejectCD(let vbd) in fixes {
            guard let drive = services.database.snapshot[vbd], !drive.empty else { continue }
            do {
                try await VBDMessages(services: services).eject(RollingEngine.context, vbd: vbd)
            } catch let error as XenAPIError {
                throw error
            } catch {
                throw XenAPIError.internalError(message: "\(error)")
            }
            made.append("cd:" + (services.database.snapshot[drive.vm]?.uuid ?? drive.vm.rawValue))
        }
        return made
    }

    /// Makes the pool's fixes (HA, WLB) in the transaction; returns what to record.
    static func make(_ fixes: [RollingPrecheck.Fix], in tx: inout Transaction) throws(XenAPIError) -> [String] {
        var made: [String] = []
        for fix in fixes {
            switch fix {
            case .disableHA:
                guard let pool = tx.snapshot.objects(Pool.self).first, pool.haEnabled else { continue }
                made.append("ha:" + pool.haStatefiles.joined(separator: ","))
                try tx.update(pool.ref) { pool in
                    pool.haEnabled = false
                    pool.haStatefiles = []
                }
            case .disableWLB:
                guard let pool = tx.snapshot.objects(Pool.self).first, pool.wlbEnabled else { continue }
                made.append("wlb")
                try tx.set(pool.ref, \.wlbEnabled, false)
            case .ejectCD:
                continue  // `ejectDiscs`, through the VM's hypervisor
            }
        }
        return made
    }

    /// Puts back what the run changed: HA and WLB enabled again.
    static func putBack(_ fixes: [String], in tx: inout Transaction) throws(XenAPIError) {
        guard let pool = tx.snapshot.objects(Pool.self).first else { return }
        for fix in fixes {
            if fix.hasPrefix("ha:") {
                let statefiles = fix.dropFirst(3).split(separator: ",").map(String.init)
                try tx.update(pool.ref) { pool in
                    pool.haEnabled = true
                    pool.haStatefiles = statefiles
                }
            } else if fix == "wlb" {
                try tx.set(pool.ref, \.wlbEnabled, true)
            }
        }
    }
}
