import XenAPI
import XenDB

/// One finding of a rolling operation's prechecks: how serious it is, the object it is about,
/// xapi-style reason code and what the admin can do. Blockers stop the run from starting (or
/// fail the host they are about when found just before it is touched); a `fix` is one the
/// engine can make itself when the run allows it (`auto_fix=true`).
struct RollingPrecheck: Sendable, Hashable {
    enum Severity: String, Sendable { case blocker, warning }

    /// A safe change the engine can make to clear a blocker.
    enum Fix: Sendable, Hashable {
        /// Disable HA for the run (it is enabled again at the end).
        case disableHA
        /// Disable WLB for the run (it is enabled again at the end).
        case disableWLB
        /// Eject the disc that keeps the VM from moving.
        case ejectCD(Ref<VBD>)
    }

    var severity: Severity
    var className: String
    var uuid: String
    var reason: String
    var remedy: String
    var fix: Fix?

    /// `<severity>|<class>|<uuid>|<REASON>|<remedy>`, as `Rolling_operation.prechecks` holds it.
    var encoded: String { [severity.rawValue, className, uuid, reason, remedy].joined(separator: "|") }
}

/// The checks XenCenter's and Xen Orchestra's rolling wizards make, over one snapshot: the pool
/// (HA, WLB, the update hash, VMs that fit nowhere) and each host to be taken (live, pending
/// mandatory guidance, VMs that cannot be live-migrated: without the guest's drivers, with a disk
/// only their host sees, with a disc from a library only their host sees).
enum RollingPrechecks {
    static func run(
        kind: RollingOperationKind, options: [String: String], hosts: [Ref<Host>], stranded: [Ref<VM>], in snapshot: Snapshot,
        services: CoreServices
    ) -> [RollingPrecheck] {
        var findings: [RollingPrecheck] = []
        if let pool = snapshot.objects(Pool.self).first {
            if pool.haEnabled {
                findings.append(
                    .init(
                        severity: .blocker, className: Pool.className, uuid: pool.uuid, reason: "HA_IS_ENABLED",
                        remedy: "Disable HA, or start with auto_fix=true (HA is enabled again at the end)", fix: .disableHA))
            }
            if pool.wlbEnabled {
                findings.append(
                    .init(
                        severity: .blocker, className: Pool.className, uuid: pool.uuid, reason: "WLB_ENABLED",
                        remedy: "Disable WLB, or start with auto_fix=true (WLB is enabled again at the end)", fix: .disableWLB))
            }
            if kind == .update {
                let hash = options["hash"] ?? ""
                let current = (try? UpdateAvailability.load(services))?.hash
                if hash.isEmpty || hash != current {
                    findings.append(
                        .init(
                            severity: .blocker, className: Pool.className, uuid: pool.uuid, reason: "UPDATEINFO_HASH_MISMATCH",
                            remedy: "Sync the updates, review them, and plan with hash=<the hash pool-sync-updates returned>"))
                }
            }
        }
        for vm in stranded {
            guard let record = snapshot[vm] else { continue }
            findings.append(
                .init(
                    severity: .blocker, className: VM.className, uuid: record.uuid, reason: "HOST_NOT_ENOUGH_FREE_MEMORY",
                    remedy: "Free memory in the pool (shut down or shrink VMs) or lower headroom_percent"))
        }
        for host in hosts { findings += self.host(host, kind: kind, in: snapshot) }
        return findings
    }

    /// The checks of one host, made again just before the run takes it.
    static func host(_ host: Ref<Host>, kind: RollingOperationKind, in snapshot: Snapshot) -> [RollingPrecheck] {
        guard let record = snapshot[host] else { return [] }
        var findings: [RollingPrecheck] = []
        if snapshot[record.metrics]?.live != true && record.currentOperations.isEmpty {
            findings.append(
                .init(
                    severity: .blocker, className: Host.className, uuid: record.uuid, reason: "HOST_OFFLINE",
                    remedy: "Power the host on, or skip it"))
        }
        if kind != .update, !record.pendingGuidances.isEmpty {
            findings.append(
                .init(
                    severity: .warning, className: Host.className, uuid: record.uuid, reason: "HOST_PENDING_MANDATORY_GUIDANCE_NOT_EMPTY",
                    remedy: "The host's reboot in this run carries out its pending guidance"))
        }
        if kind == .update, record.pendingGuidances.contains(where: { $0 != .rebootHost && $0 != .restartToolstack }) {
            findings.append(
                .init(
                    severity: .blocker, className: Host.className, uuid: record.uuid, reason: "HOST_PENDING_MANDATORY_GUIDANCE_NOT_EMPTY",
                    remedy: "Carry out the host's pending mandatory guidance first"))
        }
        let residents = snapshot.objects(VM.self).filter {
            $0.residentOn == host && !$0.isControlDomain && ($0.powerState == .running || $0.powerState == .paused)
        }
        for vm in residents.sorted(by: { $0.uuid < $1.uuid }) {
            if PoolMessages.pinned(vm, snapshot) {
                findings.append(
                    .init(
                        severity: .blocker, className: VM.className, uuid: vm.uuid, reason: "VM_REQUIRES_SR",
                        remedy: "Move the VM's disks to shared storage, or shut it down"))
            }
            if snapshot[vm.guestMetrics].map({ $0.pvDriversVersion.isEmpty }) ?? true {
                findings.append(
                    .init(
                        severity: .blocker, className: VM.className, uuid: vm.uuid, reason: "VM_LACKS_FEATURE",
                        remedy: "Install the guest tools (live migration needs them), or shut the VM down"))
            }
            for vbd in vm.vbds {
                guard let drive = snapshot[vbd], drive.type == .cd, !drive.empty, let disc = snapshot[drive.vdi],
                    let library = snapshot[disc.sr], !library.shared
                else { continue }
                findings.append(
                    .init(
                        severity: .blocker, className: VM.className, uuid: vm.uuid, reason: "VM_HAS_LOCAL_CD",
                        remedy: "Eject the disc (it is in a library only this host sees), or start with auto_fix=true",
                        fix: .ejectCD(vbd)))
            }
        }
        return findings
    }
}
