extension DataModel {
    /// The VM messages that copy a VM or a template, and that change its configuration.
    @_optimize(none)
    static func vmConfigurationMessages() -> [MessageModel] {
        let vm = param("vm", .ref("VM"), doc: "The VM")
        let this = param("self", .ref("VM"), doc: "The VM")
        let value = param("value", .int, doc: "The new value")
        let stateErrors: [ErrorModel] = [.vmBadPowerState, .otherOperationInProgress, .operationBlocked]
        let memoryErrors = stateErrors + [.memoryConstraintViolationOrder, .memoryConstraintViolationMaxpin]
        return [
            message(
                "clone", [vm, param("new_name", .string, doc: "The new VM's name")], result: .ref("VM"),
                doc: "A fast copy of a halted VM or a template, sharing its disks copy-on-write; MACs are regenerated.",
                errors: stateErrors + [.licenceRestriction], role: .vmAdmin),
            message(
                "copy",
                [
                    vm, param("new_name", .string, doc: "The new VM's name"),
                    param("sr", .ref("SR"), doc: "Where the copied disks go (null: each in its own SR)"),
                ],
                result: .ref("VM"), doc: "A full copy of a halted VM or a template, with its own disks; MACs are regenerated.",
                errors: stateErrors + [.licenceRestriction], role: .vmAdmin),
            message(
                "snapshot",
                [
                    vm, param("new_name", .string, doc: "The snapshot's name"),
                    param("ignore_vdis", .set(.ref("VDI")), doc: "Disks left out of the snapshot", default: .emptySet),
                ],
                result: .ref("VM"), doc: "A snapshot of the VM: a template-like copy marked `is_a_snapshot`.",
                errors: stateErrors, role: .vmPowerAdmin),
            message(
                "snapshot_with_quiesce", [vm, param("new_name", .string, doc: "The snapshot's name")], result: .ref("VM"),
                doc: "A snapshot taken after the guest's VSS provider has quiesced its disks.",
                errors: stateErrors + [.vmSnapshotWithQuiesceNotSupported], role: .vmPowerAdmin),
            message(
                "revert", [param("snapshot", .ref("VM"), doc: "The snapshot")],
                doc: "Put the snapshot's VM back as it was: its configuration, and its disks as new clones of the snapshot's.",
                errors: stateErrors + [.vmRevertFailed], role: .vmPowerAdmin),
            message(
                "provision", [vm], doc: "Make a VM installed from a template its disks (`other_config:disks`).",
                errors: stateErrors + [.provisionOnlyAllowedOnTemplate, .uuidInvalid], role: .vmAdmin),
            message(
                "set_actions_after_crash", [this, param("value", .enumeration("on_crash_behaviour"), doc: "The new action")],
                doc: "Set what is done when the VM's guest crashes.", errors: [], role: .vmAdmin, async: false),
            message(
                "set_HVM_boot_policy", [this, param("value", .string, doc: "The new policy (\"BIOS order\", or empty for PV)")],
                doc: "Set the HVM boot policy, and the domain type with it: hvm when set, pv when empty (deprecated: set domain_type).",
                errors: [.invalidValue], role: .vmAdmin, async: false),
            message(
                "set_VCPUs_max", [this, value], doc: "The most VCPUs the (halted) VM can have.",
                errors: stateErrors + [.invalidValue], role: .vmAdmin, async: false),
            message(
                "set_VCPUs_at_startup", [this, value], doc: "The VCPUs the (halted) VM starts with.",
                errors: stateErrors + [.invalidValue], role: .vmAdmin, async: false),
            message(
                "set_VCPUs_number_live", [this, param("nvcpu", .int, doc: "The number of VCPUs")],
                doc: "Give a running VM this many VCPUs (1 to VCPUs_max), hot-plugged into or out of the guest; VCPUs_at_startup follows.",
                errors: stateErrors + [.invalidValue, .vmMissingPVDrivers], role: .vmAdmin),
            message(
                "set_memory_limits",
                [
                    this, param("static_min", .int, doc: "The new static minimum"),
                    param("static_max", .int, doc: "The new static maximum"),
                    param("dynamic_min", .int, doc: "The new dynamic minimum"),
                    param("dynamic_max", .int, doc: "The new dynamic maximum"),
                ],
                doc: "Set every memory limit of a halted VM at once (static_min ≤ dynamic_min ≤ dynamic_max ≤ static_max).",
                errors: memoryErrors, role: .vmAdmin),
            message(
                "set_memory", [this, value], doc: "Set the static maximum and the dynamic range of a halted VM to one value.",
                errors: memoryErrors, role: .vmAdmin),
            message(
                "set_memory_static_range",
                [this, param("min", .int, doc: "The new static minimum"), param("max", .int, doc: "The new static maximum")],
                doc: "Set the static range of a halted VM.", errors: memoryErrors, role: .vmAdmin),
            message(
                "set_memory_dynamic_range",
                [this, param("min", .int, doc: "The new dynamic minimum"), param("max", .int, doc: "The new dynamic maximum")],
                doc: "Set the dynamic range of a VM, halted or running.", errors: memoryErrors, role: .vmPowerAdmin),
            message(
                "set_memory_static_max", [this, value], doc: "Set the static maximum of a halted VM.",
                errors: memoryErrors, role: .vmAdmin, async: false),
            message(
                "set_memory_static_min", [this, value], doc: "Set the static minimum of a halted VM.",
                errors: memoryErrors, role: .vmAdmin, async: false),
            message(
                "set_memory_dynamic_max", [this, value], doc: "Set the dynamic maximum of a VM.",
                errors: memoryErrors, role: .vmPowerAdmin, async: false),
            message(
                "set_memory_dynamic_min", [this, value], doc: "Set the dynamic minimum of a VM.",
                errors: memoryErrors, role: .vmPowerAdmin, async: false),
            message(
                "set_is_a_template", [this, param("value", .bool, doc: "Whether the VM is a template")],
                doc: "Turn a halted VM into a custom template, or a template back into a VM.",
                errors: stateErrors, role: .vmAdmin, replacesImplicit: true),
            message(
                "set_groups", [this, param("value", .set(.ref("VM_group")), doc: "The VM groups (one at most)")],
                doc: "Put the VM in VM groups (one at most; none to leave its group).",
                errors: [.operationNotAllowed, .tooManyGroups], role: .vmAdmin, async: false, replacesImplicit: true),
            message(
                "get_allowed_VBD_devices", [vm], result: .stringSet,
                doc: "The disk slots (`userdevice` numbers) the VM has free.", role: .readOnly, async: false),
            message(
                "get_allowed_VIF_devices", [vm], result: .stringSet,
                doc: "The network interface slots (`device` numbers) the VM has free.", role: .readOnly, async: false),
        ]
    }
}
