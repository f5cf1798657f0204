import XenAPI
import XenDB
import XenUpdates

/// The guidance an applied update leaves pending on hosts and VMs (`pending_guidances`,
/// `pending_guidances_recommended`, `pending_guidances_full`), and the events that clear it,
/// by xapi's rules (`xapi_host.ml`, `xapi_vm_lifecycle.ml`): each event removes its values from
/// all three kinds.
enum PendingGuidance {
    /// Values that belong to a host (the rest belong to VMs).
    static let hostValues: Set<UpdateGuidances> = [
        .rebootHost, .restartToolstack, .rebootHostOnLivepatchFailure, .rebootHostOnKernelLivepatchFailure,
        .rebootHostOnXenLivepatchFailure,
    ]

    /// The stored value of a task, if it is one that is stored.
    static func value(_ guidance: Guidance) -> UpdateGuidances? {
        guidance.pendingValue.flatMap(UpdateGuidances.init(rawValue:))
    }

    /// Adds `values` of `kind` to the pending guidance of a host or a VM.
    static func add<T: GuidanceHolder>(_ values: Set<UpdateGuidances>, kind: GuidanceKind, to ref: Ref<T>, in tx: inout Transaction) throws(XenAPIError) {
        guard !values.isEmpty, let record = tx.snapshot[ref]?.record else { return }
        let (field, column) = T.guidance(kind == .livepatch ? .full : kind)
        try tx.set(ref, column, merged(record[keyPath: field], values))
    }

    /// Removes `values` from every kind of the pending guidance of a host or a VM.
    static func clear<T: GuidanceHolder>(_ values: Set<UpdateGuidances>, from ref: Ref<T>, in tx: inout Transaction) throws(XenAPIError) {
        guard let record = tx.snapshot[ref]?.record else { return }
        for kind in GuidanceKind.reported {
            let (field, column) = T.guidance(kind)
            let current = record[keyPath: field]
            if current.contains(where: values.contains) { try tx.set(ref, column, current.filter { !values.contains($0) }) }
        }
    }

    /// What a VM operation that succeeded clears: a start or reboot restarts its device model
    /// and the VM itself; a shutdown clears both (its next start goes to an updated host); a
    /// suspend, resume or live migration restarts the device model only.
    static func vmOperationDone(_ operation: VMOperations, vm: Ref<VM>, in tx: inout Transaction) throws(XenAPIError) {
        switch operation {
        case .start, .startOn, .cleanReboot, .hardReboot, .cleanShutdown, .hardShutdown, .shutdown:
            try clear([.restartDeviceModel, .restartVM], from: vm, in: &tx)
        case .suspend, .resume, .resumeOn, .poolMigrate, .migrateSend:
            try clear([.restartDeviceModel], from: vm, in: &tx)
        default:
            break
        }
    }

    /// The toolstack of these hosts started: their `restart_toolstack` is done.
    static func toolstackStarted(_ services: CoreServices, hosts: [Ref<Host>]) async throws(XenAPIError) {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for host in hosts { try clear([.restartToolstack], from: host, in: &tx) }
        }
    }

    /// The host booted: its reboot, toolstack restart and live-patch failures are done.
    static func hostBooted(_ host: Ref<Host>, in tx: inout Transaction) throws(XenAPIError) {
        try clear(hostValues, from: host, in: &tx)
    }

    /// Whether the host must stay disabled: mandatory guidance is pending on it.
    static func keepsHostDisabled(_ host: Ref<Host>, in snapshot: Snapshot) -> Bool {
        !(snapshot[host]?.pendingGuidances.isEmpty ?? true)
    }

    private static func merged(_ current: [UpdateGuidances], _ values: Set<UpdateGuidances>) -> [UpdateGuidances] {
        current + values.filter { !current.contains($0) }.sorted { $0.rawValue < $1.rawValue }
    }
}

/// A record with pending update guidance: hosts and VMs, each kind in its own field.
protocol GuidanceHolder: XenObject {
    /// The field and column of `kind` (mandatory, recommended or full).
    static func guidance(_ kind: GuidanceKind) -> (KeyPath<Self, [UpdateGuidances]>, ColumnKey<Self, [UpdateGuidances]>)
}

extension Host: GuidanceHolder {
    static func guidance(_ kind: GuidanceKind) -> (KeyPath<Host, [UpdateGuidances]>, ColumnKey<Host, [UpdateGuidances]>) {
        switch kind {
        case .mandatory: (\.pendingGuidances, \.pendingGuidances)
        case .recommended: (\.pendingGuidancesRecommended, \.pendingGuidancesRecommended)
        case .full, .livepatch: (\.pendingGuidancesFull, \.pendingGuidancesFull)
        }
    }
}

extension VM: GuidanceHolder {
    static func guidance(_ kind: GuidanceKind) -> (KeyPath<VM, [UpdateGuidances]>, ColumnKey<VM, [UpdateGuidances]>) {
        switch kind {
        case .mandatory: (\.pendingGuidances, \.pendingGuidances)
        case .recommended: (\.pendingGuidancesRecommended, \.pendingGuidancesRecommended)
        case .full, .livepatch: (\.pendingGuidancesFull, \.pendingGuidancesFull)
        }
    }
}
