import class Foundation.FileManager
import XenAPI
import XenBackend
import XenDB

/// `pool.eject` and `pool.designate_new_master`: hosts leaving the pool and the coordinator's
/// role moving to another host, as xapi does them (`xapi_pool.ml`).
extension PoolMessages {
    /// Ejects a member. Its VMs must be halted (xapi's `OPERATION_NOT_ALLOWED`, "VM resident on
    /// host"); the coordinator cannot be ejected. Its local SRs are forgotten with their disks
    /// (the ejected host is wiped), its interfaces, CPUs, metrics and control domain go with its
    /// record, VMs that preferred it lose their affinity, and its machine leaves the rack.
    func eject(_ context: CallContext, host: Ref<Host>) async throws {
        let services = self.services
        let snapshot = services.database.snapshot
        let record = try snapshot.require(host)
        try Self.assertMembershipMayChange(snapshot)
        let lost = Self.localSRs(of: record, in: snapshot)
        let folders = lost.compactMap { services.srFolder(of: $0, in: snapshot) }
        let contact = try await PoolOperations.run(services, .eject, context: context) {
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) -> ToolstackContact? in
                let snapshot = tx.snapshot
                let record = try snapshot.require(host)
                try Self.assertMembershipMayChange(snapshot)
                try Self.assertEjectable(record, in: snapshot)
                // The machine leaves first: a crash after this leaves a host without a machine
                // (offline), which a second eject finishes; the other order would let the next
                // start-up give the machine a host again.
                let contact = try services.retireMachine(record.uuid)
                try Self.removeRecords(of: record, localSRs: Self.localSRs(of: record, in: snapshot), in: &tx)
                try Licensing.refreshPoolRestrictions(&tx, at: services.now())
                try RollingUpgrade.refresh(&tx)
                return contact
            }
        }
        // The ejected host starts again with empty local storage; a host that joined from
        // another pool's toolstack is told, and that toolstack starts again as a pool of its own.
        for folder in folders { try? FileManager.default.removeItem(atPath: folder) }
        if let contact, let peers = services.peers { _ = await peers.tellEjected(at: contact.address, secret: contact.secret) }
    }

    /// Makes `host` the coordinator. Refused while HA is on, during a rolling operation, for a
    /// host that is not live, and, while versions are mixed, for a host older than the newest
    /// (the coordinator is always at the newest release). Designating the coordinator is a no-op.
    func designateNewMaster(_ context: CallContext, host: Ref<Host>) async throws {
        let services = self.services
        let snapshot = services.database.snapshot
        _ = try snapshot.require(host)
        guard snapshot.objects(Pool.self).first?.master != host else { return }
        try Self.assertMembershipMayChange(snapshot)
        _ = try services.hypervisor(of: host, in: snapshot)
        try await PoolOperations.run(services, .designateNewMaster, context: context) {
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                let snapshot = tx.snapshot
                guard let pool = snapshot.objects(Pool.self).first else { throw XenAPIError.internalError(message: "no pool") }
                try Self.assertMembershipMayChange(snapshot)
                guard let metrics = snapshot[try snapshot.require(host).metrics], metrics.live else {
                    throw XenAPIError.hostOffline(host: host.rawValue)
                }
                if RollingUpgrade.inProgress(snapshot), !RollingUpgrade.newestHosts(snapshot).contains(host) {
                    throw XenAPIError.notSupportedDuringUpgrade()
                }
                try tx.set(pool.ref, \.master, host)
            }
        }
    }

    /// HA on, a rolling operation under way or updates being applied each keep the pool's
    /// membership as it is.
    static func assertMembershipMayChange(_ snapshot: Snapshot) throws(XenAPIError) {
        guard let pool = snapshot.objects(Pool.self).first else { throw XenAPIError.internalError(message: "no pool") }
        if pool.haEnabled { throw XenAPIError.haIsEnabled() }
        if let active = RollingEngine.active(in: snapshot) { throw XenAPIError.rollingOperationActive(ref: active.ref.rawValue) }
        if pool.currentOperations.values.contains(.applyUpdates) { throw XenAPIError.notSupportedDuringUpgrade() }
    }

    /// A member with nothing of its own running or about to run, and no suspended VM whose image
    /// would be lost with its local storage.
    private static func assertEjectable(_ host: ObjectView<Host>, in snapshot: Snapshot) throws(XenAPIError) {
        if snapshot.objects(Pool.self).first?.master == host.ref {
            throw XenAPIError.operationNotAllowed(reason: "The pool coordinator cannot be ejected; designate another coordinator first")
        }
        let local = Set(localSRs(of: host, in: snapshot))
        for vm in snapshot.objects(VM.self) where !vm.isControlDomain {
            if (vm.residentOn == host.ref && vm.powerState != .halted) || vm.scheduledToBeResidentOn == host.ref {
                throw XenAPIError.operationNotAllowed(reason: "VM resident on host")
            }
            if vm.powerState == .suspended, let image = snapshot[vm.suspendVDI], local.contains(image.sr) {
                throw XenAPIError.operationNotAllowed(reason: "VM \(vm.uuid) is suspended with its image on the host's local storage")
            }
        }
    }

    /// The SRs only this host connects to.
    private static func localSRs(of host: ObjectView<Host>, in snapshot: Snapshot) -> [Ref<SR>] {
        host.pbds.compactMap { snapshot[$0]?.sr }.filter { sr in
            snapshot[sr].map { $0.pbds.allSatisfy { snapshot[$0]?.host == host.ref } } ?? false
        }
    }

    /// Everything the database holds of the host, and the VMs' references to it.
    private static func removeRecords(of host: ObjectView<Host>, localSRs: [Ref<SR>], in tx: inout Transaction) throws(XenAPIError) {
        let snapshot = tx.snapshot
        for sr in localSRs {
            guard let record = snapshot[sr] else { continue }
            for vdi in record.vdis {
                for vbd in snapshot[vdi]?.vbds ?? [] where tx.snapshot.contains(vbd) { try tx.delete(vbd) }
                if tx.snapshot.contains(vdi) { try tx.delete(vdi) }
            }
            if let pool = snapshot.objects(Pool.self).first {
                try tx.update(pool.ref) { pool in
                    if pool.defaultSR == sr { pool.defaultSR = .null }
                    if pool.suspendImageSR == sr { pool.suspendImageSR = .null }
                    if pool.crashDumpSR == sr { pool.crashDumpSR = .null }
                }
            }
        }
        for pbd in host.pbds where tx.snapshot.contains(pbd) { try tx.delete(pbd) }
        for sr in localSRs where tx.snapshot.contains(sr) { try tx.delete(sr) }
        let pifs = Set(host.pifs)
        for vlan in snapshot.objects(VLAN.self) where pifs.contains(vlan.taggedPIF) || pifs.contains(vlan.untaggedPIF) {
            try tx.delete(vlan.ref)
        }
        for pif in host.pifs where tx.snapshot.contains(pif) { try tx.delete(pif) }
        for cpu in host.hostCPUs where tx.snapshot.contains(cpu) { try tx.delete(cpu) }
        for blob in host.blobs.values where tx.snapshot.contains(blob) { try tx.delete(blob) }
        for vm in snapshot.objects(VM.self) {
            if vm.isControlDomain, vm.residentOn == host.ref {
                for vif in vm.vifs where tx.snapshot.contains(vif) { try tx.delete(vif) }
                for vbd in vm.vbds where tx.snapshot.contains(vbd) { try tx.delete(vbd) }
                try tx.delete(vm.ref)
                if tx.snapshot.contains(vm.metrics) { try tx.delete(vm.metrics) }
            } else if vm.affinity == host.ref || vm.residentOn == host.ref {
                try tx.update(vm.ref) { vm in
                    if vm.affinity == host.ref { vm.affinity = .null }
                    if vm.residentOn == host.ref { vm.residentOn = .null }
                }
            }
        }
        try tx.delete(host.ref)
        if tx.snapshot.contains(host.metrics) { try tx.delete(host.metrics) }
    }
}
