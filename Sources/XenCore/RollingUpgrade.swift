import XenAPI
import XenAPIModel
import XenBackend
import XenDB

/// Hosts at different releases in one pool (xapi's rolling-upgrade mode, `db_gc.ml`
/// `detect_rolling_upgrade`): while their platform or toolstack versions differ the pool's
/// `other_config:rolling_upgrade_in_progress` is `true`, and the mixed-version rules hold: VMs
/// migrate only to hosts at the same or a newer release, start only on the newest hosts, and
/// disks are not created, destroyed, resized or snapshotted (`NOT_SUPPORTED_DURING_UPGRADE`).
enum RollingUpgrade {
    static let flag = "rolling_upgrade_in_progress"

    /// The VM operations allowed while versions are mixed (xapi's `rpu_allowed_vm_operations`,
    /// with `shutdown`, which is a clean or else a hard shutdown, both of them allowed).
    static let vmOperations: Set<VMOperations> = [
        .assertOperationValid, .changingMemoryLive, .changingShadowMemoryLive, .changingVCPUsLive, .cleanReboot,
        .cleanShutdown, .clone, .copy, .csvm, .destroy, .export, .getBootRecord, .hardReboot, .hardShutdown, .import,
        .makeIntoTemplate, .migrateSend, .pause, .poolMigrate, .powerStateReset, .provision, .resume, .resumeOn,
        .sendSysrq, .sendTrigger, .shutdown, .start, .startOn, .suspend, .unpause, .updateAllowedOperations,
    ]

    /// The disk operations allowed while versions are mixed: xapi's pre-Ely list without those
    /// that make, remove or grow disks (`destroy`, `resize`, `resize_online`, `snapshot`).
    static let vdiOperations: Set<VDIOperations> = [.clone, .copy, .forget, .update, .forceUnlock, .generateConfig, .blocked]

    /// The SR operations allowed while versions are mixed: xapi's Tampa list without making,
    /// removing, growing or snapshotting disks.
    static let storageOperations: Set<StorageOperations> = [
        .scan, .destroy, .forget, .plug, .unplug, .vdiClone, .vdiIntroduce, .update, .pbdCreate, .pbdDestroy,
    ]

    /// The host operations reported while versions are mixed (xapi's `host_operations_miami`:
    /// what every release understands).
    static let hostOperations: Set<HostAllowedOperations> = [.evacuate, .provision]

    /// `host.software_version` for a host running `release` (what XenServer 8 reports).
    static func softwareVersion(_ release: HostRelease, hostname: String, date: DateTime) -> [String: String] {
        let xapi = release.xapiVersion.split(separator: ".")
        let model = DataModel.current
        return [
            "product_version": release.productVersion, "product_version_text": release.productVersion,
            "product_version_text_short": release.productVersion, "product_brand": "XenServer",
            "platform_name": "XCP", "platform_version": release.platformVersion, "build_number": release.buildNumber,
            "xapi": xapi.prefix(2).joined(separator: "."), "xapi_build": release.xapiVersion,
            "xen": "4.17.5", "linux": "4.19.0+1", "hostname": hostname, "date": date.wireText,
            "network_backend": "openvswitch", "xencenter_min": "2.21",
            "xencenter_max": "\(model.apiVersionMajor).\(model.apiVersionMinor)",
        ]
    }

    /// The release a host's record reports.
    static func release(of host: Ref<Host>, in snapshot: Snapshot) -> HostRelease? {
        guard let software = snapshot[host]?.softwareVersion, let platform = software["platform_version"] else { return nil }
        return HostRelease(
            productVersion: software["product_version"] ?? "", platformVersion: platform, xapiVersion: software["xapi_build"] ?? "",
            buildNumber: software["build_number"] ?? "")
    }

    /// Whether the pool is in rolling-upgrade mode.
    static func inProgress(_ snapshot: Snapshot) -> Bool {
        snapshot.objects(Pool.self).first?.otherConfig[flag] != nil
    }

    /// The hosts at the newest release of the pool.
    static func newestHosts(_ snapshot: Snapshot) -> Set<Ref<Host>> {
        let releases = snapshot.refs(Host.self).compactMap { host in release(of: host, in: snapshot).map { (host, $0) } }
        guard let newest = releases.map(\.1).max() else { return Set(snapshot.refs(Host.self)) }
        return Set(releases.filter { $0.1.sameVersions(as: newest) }.map(\.0))
    }

    /// Sets or clears the pool's flag from its hosts' releases; when it changes, every host's,
    /// VM's, SR's and disk's `allowed_operations` follows.
    static func refresh(_ tx: inout Transaction) throws(XenAPIError) {
        let snapshot = tx.snapshot
        guard let pool = snapshot.objects(Pool.self).first else { return }
        let releases = snapshot.refs(Host.self).compactMap { release(of: $0, in: snapshot) }
        let mixed = releases.contains { !$0.sameVersions(as: releases[0]) }
        guard mixed != (pool.otherConfig[flag] != nil) else { return }
        try tx.update(pool.ref) { $0.otherConfig[flag] = mixed ? "true" : nil }
        for host in snapshot.refs(Host.self) { try HostMessages.refreshAllowedOperations(&tx, host) }
        for vm in snapshot.refs(VM.self) { try VMMessages.refreshAllowedOperations(&tx, vm) }
        for sr in snapshot.refs(SR.self) { try StorageRules.refresh(sr, in: &tx) }
    }

    /// A live migration from `source` to `target` never goes to an older release.
    static func assertCanMigrate(from source: Ref<Host>, to target: Ref<Host>, in snapshot: Snapshot) throws(XenAPIError) {
        guard let from = release(of: source, in: snapshot), let to = release(of: target, in: snapshot), to < from else { return }
        throw XenAPIError.notSupportedDuringUpgrade()
    }

    /// During a rolling upgrade a VM starts only on the newest hosts.
    static func assertCanStart(on host: Ref<Host>, in snapshot: Snapshot) throws(XenAPIError) {
        guard inProgress(snapshot), !newestHosts(snapshot).contains(host) else { return }
        throw XenAPIError.notSupportedDuringUpgrade()
    }

    /// During a rolling upgrade disks are not created, destroyed, resized or snapshotted.
    static func assertStorageOperationAllowed(in snapshot: Snapshot) throws(XenAPIError) {
        if inProgress(snapshot) { throw XenAPIError.notSupportedDuringUpgrade() }
    }
}
