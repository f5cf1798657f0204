import XenAPI
import XenDB

/// Which VM operations the VM's state allows, as xapi decides it (`xapi_vm_lifecycle.ml`): a
/// pure function over the VM's record, used both to refuse a call and to fill
/// `allowed_operations`, so the two never disagree.
enum VMPowerRules {
    /// The power states an operation needs, in xapi's order (which its error message keeps);
    /// `nil` for operations allowed in any state.
    static func powerStates(for operation: VMOperations, of vm: ObjectView<VM>) -> [VMPowerState]? {
        switch operation {
        case .changingVCPUs, .changingStaticRange, .changingMemoryLimits:
            vm.isControlDomain ? [.halted, .running] : [.halted]
        case .start, .startOn, .provision, .makeIntoTemplate, .changingNVRAM, .changingShadowMemory, .createVTPM:
            [.halted]
        case .changingDynamicRange: [.halted, .running]
        case .unpause: [.paused]
        case .csvm, .resume, .resumeOn: [.suspended]
        case .awaitingMemoryLive, .callPlugin, .cleanReboot, .cleanShutdown, .changingMemoryLive,
            .changingShadowMemoryLive, .changingVCPUsLive, .dataSourceOp, .pause, .poolMigrate, .sendSysrq,
            .sendTrigger, .snapshotWithQuiesce, .suspend:
            [.running]
        case .clone, .copy: vm.isASnapshot ? [.halted, .suspended] : [.halted]
        case .createTemplate, .destroy, .export: [.halted, .suspended]
        case .hardReboot: [.paused, .running]
        case .checkpoint, .getBootRecord, .shutdown, .hardShutdown: [.paused, .suspended, .running]
        case .migrateSend: [.halted, .suspended, .running]
        case .import: []
        default: nil
        }
    }

    /// Operations a template may undergo.
    private static let templateOperations: Set<VMOperations> = [
        .changingDynamicRange, .changingStaticRange, .changingMemoryLimits, .changingShadowMemory, .changingVCPUs,
        .changingNVRAM, .clone, .copy, .export, .metadataExport, .provision, .destroy, .migrateSend,
    ]

    /// The operations this toolstack carries out, reported in `allowed_operations` when valid.
    static let implemented: [VMOperations] = [
        .start, .startOn, .hardShutdown, .cleanShutdown, .shutdown, .cleanReboot, .hardReboot, .suspend, .resume,
        .resumeOn, .pause, .unpause, .poolMigrate, .clone, .copy, .snapshot, .provision, .changingVCPUs,
        .changingMemoryLimits, .changingStaticRange, .changingDynamicRange, .changingVCPUsLive, .destroy,
    ]

    /// Operations that need the guest's help: advertised only while it runs PV drivers.
    private static let needGuestHelp: Set<VMOperations> = [.cleanShutdown, .cleanReboot, .suspend, .poolMigrate, .changingVCPUsLive]

    /// Whether `operation` may run alongside `running`.
    private static func compatible(_ operation: VMOperations, with running: VMOperations) -> Bool {
        switch (operation, running) {
        case (.hardShutdown, .hardShutdown): false
        case (.hardShutdown, _): true
        default: false
        }
    }

    /// Refuses `operation` on the VM with xapi's error, checked in xapi's order: blocked, power
    /// state, another operation, template, and during a rolling upgrade the operations xapi's
    /// allow-list leaves out (`NOT_SUPPORTED_DURING_UPGRADE`).
    static func check(_ vm: ObjectView<VM>, _ operation: VMOperations, in snapshot: Snapshot) throws(XenAPIError) {
        if let reason = vm.blockedOperations[operation] {
            throw XenAPIError.operationBlocked(ref: vm.ref.rawValue, code: reason)
        }
        let state = vm.powerState
        if let allowed = powerStates(for: operation, of: vm), !allowed.contains(state) {
            let expected = allowed.map { $0.rawValue.lowercased() }
            throw XenAPIError.vmBadPowerState(
                vm: vm.ref.rawValue, expected: expected.joined(separator: ", "), actual: state.rawValue.lowercased())
        }
        if let (task, running) = vm.currentOperations.sorted(by: { $0.key < $1.key }).first(where: {
            !compatible(operation, with: $0.value)
        }) {
            throw XenAPIError.otherOperationInProgress(
                className: VM.className, ref: vm.ref.rawValue, operation: running.rawValue, taskRef: task)
        }
        if operation == .provision, !vm.isATemplate { throw XenAPIError.provisionOnlyAllowedOnTemplate() }
        if vm.isATemplate, !vm.isASnapshot, !templateOperations.contains(operation)
            || (operation == .destroy && vm.isDefaultTemplate)
        {
            throw XenAPIError.vmIsTemplate(vm: vm.ref.rawValue, operation: operation.rawValue)
        }
        if !RollingUpgrade.vmOperations.contains(operation), RollingUpgrade.inProgress(snapshot) {
            throw XenAPIError.notSupportedDuringUpgrade()
        }
    }

    /// The implemented operations the VM's state allows now. Like xapi's strict check, those
    /// that need the guest's help are left out while its PV drivers are not seen (they may
    /// still be tried; the guest then refuses them).
    static func allowedOperations(_ vm: ObjectView<VM>, in snapshot: Snapshot) -> [VMOperations] {
        let drivers = snapshot[vm.guestMetrics].map { !$0.pvDriversVersion.isEmpty } ?? false
        return implemented.filter { operation in
            (drivers || !needGuestHelp.contains(operation)) && (try? check(vm, operation, in: snapshot)) != nil
        }
    }
}
