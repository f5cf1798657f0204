extension DataModel {
    /// The `VM` class: a virtual machine, template or snapshot.
    @_optimize(none)
    static func vmClass() -> ClassModel {
        ClassModel(
            name: "VM", doc: "A virtual machine (or a template or snapshot of one).",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                field(
                    "allowed_operations", .set(.enumeration("vm_operations")), default: .emptySet,
                    doc: "Operations currently allowed on the VM"),
                field(
                    "current_operations", .map(.string, .enumeration("vm_operations")), default: .emptyMap,
                    doc: "Operations in progress, keyed by task reference"),
                namespace(
                    "name",
                    [
                        field(
                            "label", .string, .readWrite, default: .string(""),
                            doc: "Human-readable name"),
                        field(
                            "description", .string, .readWrite, default: .string(""),
                            doc: "Human-readable description"),
                    ]),
                field(
                    "power_state", .enumeration("vm_power_state"), .staticReadOnly, default: .enumeration("Halted"),
                    doc: "Current power state"),
                field("user_version", .int, .readWrite, doc: "A version number the user may increment"),
                field("is_a_template", .bool, .readWrite, doc: "True if this is a template rather than a VM"),
                field(
                    "is_default_template", .bool, default: .bool(false),
                    doc: "True if this is a template shipped with the product"),
                field(
                    "suspend_VDI", .ref("VDI"), .staticReadOnly, default: .nullRef,
                    doc: "The VDI holding the suspend image"),
                field("resident_on", .ref("host"), doc: "The host the VM is running on"),
                field(
                    "scheduled_to_be_resident_on", .ref("host"), default: .nullRef,
                    doc: "The host the VM is about to be started or migrated on"),
                field("affinity", .ref("host"), .readWrite, doc: "A host the VM prefers to run on"),
                namespace(
                    "memory",
                    [
                        field(
                            "overhead", .int, default: .int(0),
                            doc: "Virtualisation memory overhead, in bytes"),
                        field(
                            "target", .int, .staticReadOnly, default: .int(0), lifecycle: .deprecated, doc: "Dynamically set memory target, in bytes"),
                        field(
                            "static_max", .int, .staticReadOnly,
                            doc: "Static upper bound of memory, in bytes"),
                        field(
                            "dynamic_max", .int, .staticReadOnly,
                            doc: "Dynamic upper bound of memory, in bytes"),
                        field(
                            "dynamic_min", .int, .staticReadOnly,
                            doc: "Dynamic lower bound of memory, in bytes"),
                        field(
                            "static_min", .int, .staticReadOnly,
                            doc: "Static lower bound of memory, in bytes"),
                    ]),
                namespace(
                    "VCPUs",
                    [
                        field(
                            "params", .stringMap, .readWrite,
                            doc: "VCPU scheduling parameters"),
                        field("max", .int, .staticReadOnly, doc: "Maximum number of VCPUs"),
                        field(
                            "at_startup", .int, .staticReadOnly,
                            doc: "Number of VCPUs at boot"),
                    ]),
                namespace(
                    "actions",
                    [
                        field(
                            "after_softreboot", .enumeration("on_softreboot_behavior"), .readWrite,
                            default: .enumeration("soft_reboot"), lifecycle: .prototyped, doc: "What to do when the guest requests a soft reboot"),
                        field(
                            "after_shutdown", .enumeration("on_normal_exit"), .readWrite, doc: "What to do when the guest shuts down"),
                        field(
                            "after_reboot", .enumeration("on_normal_exit"), .readWrite, doc: "What to do when the guest reboots"),
                        field(
                            "after_crash", .enumeration("on_crash_behaviour"), .staticReadOnly, doc: "What to do when the guest crashes"),
                    ]),
                field("consoles", .set(.ref("console")), doc: "Consoles of the VM"),
                field("VIFs", .set(.ref("VIF")), doc: "Virtual network interfaces of the VM"),
                field("VBDs", .set(.ref("VBD")), doc: "Virtual block devices of the VM"),
                field("VUSBs", .set(.ref("VUSB")), doc: "Virtual USB devices of the VM"),
                field("crash_dumps", .set(.ref("crashdump")), doc: "Crash dumps of the VM"),
                field("VTPMs", .set(.ref("VTPM")), doc: "Virtual TPMs of the VM"),
                namespace(
                    "PV",
                    [
                        field(
                            "bootloader", .string, .readWrite,
                            doc: "Bootloader used to boot a PV guest"),
                        field("kernel", .string, .readWrite, doc: "Path to the PV kernel"),
                        field("ramdisk", .string, .readWrite, doc: "Path to the PV initrd"),
                        field("args", .string, .readWrite, doc: "Kernel command line for a PV guest"),
                        field(
                            "bootloader_args", .string, .readWrite,
                            doc: "Extra arguments for the PV bootloader"),
                        field(
                            "legacy_args", .string, .readWrite,
                            doc: "Legacy kernel arguments for old PV guests"),
                    ]),
                namespace(
                    "HVM",
                    [
                        field(
                            "boot_policy", .string, .staticReadOnly, lifecycle: .deprecated,
                            doc: "HVM boot policy"),
                        field(
                            "boot_params", .stringMap, .readWrite,
                            doc: "HVM boot parameters (for example the boot order)"),
                        field(
                            "shadow_multiplier", .float, .staticReadOnly, default: .float(1), doc: "Multiplier applied to the shadow memory of an HVM guest"),
                    ]),
                field("platform", .stringMap, .readWrite, doc: "Platform settings of the virtual hardware"),
                field(
                    "PCI_bus", .string, .readWrite, lifecycle: .deprecated,
                    doc: "PCI bus path of passed-through devices"),
                field("other_config", .stringMap, .readWrite, doc: "Additional configuration"),
                field("domid", .int, default: .int(-1), doc: "Domain ID while running, -1 otherwise"),
                field("domarch", .string, doc: "Domain architecture"),
                field(
                    "last_boot_CPU_flags", .stringMap, .staticReadOnly, default: .emptyMap,
                    doc: "CPU flags the VM was last booted with"),
                field("is_control_domain", .bool, doc: "True if this is a control domain"),
                field("metrics", .ref("VM_metrics"), doc: "Metrics of the VM"),
                field("guest_metrics", .ref("VM_guest_metrics"), doc: "Metrics reported by the guest agent"),
                field(
                    "last_booted_record", .string, .staticReadOnly, default: .string(""),
                    doc: "The VM record as it was at the last boot"),
                field("recommendations", .string, .readWrite, doc: "Recommended resource limits, as XML"),
                field(
                    "xenstore_data", .stringMap, .readWrite, default: .emptyMap,
                    doc: "Data written to xenstore for the guest at start"),
                field(
                    "ha_always_run", .bool, .staticReadOnly, default: .bool(false), lifecycle: .deprecated,
                    doc: "Whether HA keeps the VM running"),
                field(
                    "ha_restart_priority", .string, .staticReadOnly, default: .string(""),
                    doc: "HA restart priority"),
                field("is_a_snapshot", .bool, default: .bool(false), doc: "True if this is a snapshot"),
                field("snapshot_of", .ref("VM"), default: .nullRef, doc: "The VM this is a snapshot of"),
                field("snapshots", .set(.ref("VM")), doc: "Snapshots of this VM"),
                field("snapshot_time", .datetime, default: .epoch, doc: "When this snapshot was taken"),
                field(
                    "transportable_snapshot_id", .string, default: .string(""),
                    doc: "Identifier of a transportable snapshot"),
                field("blobs", .map(.string, .ref("blob")), default: .emptyMap, doc: "Binary blobs attached to the VM"),
                field("tags", .stringSet, .readWrite, default: .emptySet, doc: "User-defined tags"),
                field(
                    "blocked_operations", .map(.enumeration("vm_operations"), .string), .readWrite, default: .emptyMap,
                    doc: "Operations blocked on the VM, with the reason"),
                field("snapshot_info", .stringMap, default: .emptyMap, doc: "Information about the snapshot"),
                field(
                    "snapshot_metadata", .string, default: .string(""),
                    doc: "Encoded metadata of the snapshot"),
                field("parent", .ref("VM"), default: .nullRef, doc: "The VM this one was cloned or snapshotted from"),
                field("children", .set(.ref("VM")), doc: "VMs cloned or snapshotted from this one"),
                field("bios_strings", .stringMap, default: .emptyMap, doc: "BIOS strings presented to the guest"),
                field(
                    "protection_policy", .ref("VMPP"), .staticReadOnly, default: .nullRef, lifecycle: .deprecated,
                    doc: "The protection policy of the VM (legacy)"),
                field(
                    "is_snapshot_from_vmpp", .bool, .staticReadOnly, default: .bool(false), lifecycle: .removed,
                    doc: "True if the snapshot was made by a protection policy (legacy)"),
                field(
                    "snapshot_schedule", .ref("VMSS"), .staticReadOnly, default: .nullRef,
                    doc: "The snapshot schedule of the VM"),
                field(
                    "is_vmss_snapshot", .bool, .staticReadOnly, default: .bool(false),
                    doc: "True if the snapshot was made by a snapshot schedule"),
                field(
                    "appliance", .ref("VM_appliance"), .staticReadOnly, default: .nullRef,
                    doc: "The appliance the VM belongs to"),
                field(
                    "start_delay", .int, .staticReadOnly, default: .int(0),
                    doc: "Seconds to wait after starting the VM when starting its appliance"),
                field(
                    "shutdown_delay", .int, .staticReadOnly, default: .int(0),
                    doc: "Seconds to wait after shutting the VM down when shutting its appliance down"),
                field("order", .int, .staticReadOnly, default: .int(0), doc: "Start order within the appliance"),
                field("VGPUs", .set(.ref("VGPU")), doc: "Virtual GPUs of the VM"),
                field("attached_PCIs", .set(.ref("PCI")), doc: "PCI devices passed through to the VM"),
                field(
                    "suspend_SR", .ref("SR"), .readWrite, default: .nullRef,
                    doc: "Storage repository for the suspend image"),
                field("version", .int, .staticReadOnly, default: .int(0), doc: "Number of times the VM was reverted"),
                field(
                    "generation_id", .string, .staticReadOnly, default: .string("0:0"),
                    doc: "Generation ID exposed to the guest"),
                field(
                    "hardware_platform_version", .int, .readWrite, default: .int(0),
                    doc: "Virtual hardware platform version"),
                field(
                    "has_vendor_device", .bool, .staticReadOnly, default: .bool(false),
                    doc: "Whether the VM has the vendor PCI device for guest updates"),
                field(
                    "requires_reboot", .bool, default: .bool(false),
                    doc: "True when a reboot is needed to apply configuration changes"),
                field(
                    "reference_label", .string, .staticReadOnly, default: .string(""),
                    doc: "Label of the template the VM was created from"),
                field(
                    "domain_type", .enumeration("domain_type"), .staticReadOnly, default: .enumeration("unspecified"),
                    doc: "Type of domain the VM runs as"),
                field("NVRAM", .stringMap, .staticReadOnly, default: .emptyMap, doc: "Contents of the UEFI NVRAM"),
                field(
                    "pending_guidances", .set(.enumeration("update_guidances")), default: .emptySet,
                    doc: "Actions required to complete applied updates"),
                field(
                    "pending_guidances_recommended", .set(.enumeration("update_guidances")), default: .emptySet,
                    lifecycle: .prototyped, doc: "Recommended actions to complete applied updates"),
                field(
                    "pending_guidances_full", .set(.enumeration("update_guidances")), default: .emptySet,
                    lifecycle: .prototyped, doc: "All actions to complete applied updates"),
                field(
                    "groups", .set(.ref("VM_group")), default: .emptySet,
                    doc: "Placement groups the VM belongs to"),
                field(
                    "secureboot_certificates_state", .enumeration("vm_secureboot_certificates_state"),
                    default: .enumeration("ok"), doc: "Whether the VM's Secure Boot certificates need an update"),
            ],
            messages: lifecycleMessages() + vmConfigurationMessages(),
            hasImplicitConstructor: true, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}

extension DataModel {
    /// The power operations of a VM.
    @_optimize(none)
    static func lifecycleMessages() -> [MessageModel] {
        let vm = param("vm", .ref("VM"), doc: "The VM")
        let stateErrors: [ErrorModel] = [.vmBadPowerState, .otherOperationInProgress, .operationBlocked, .vmIsTemplate]
        return [
            message(
                "start",
                [
                    vm,
                    param("start_paused", .bool, doc: "Leave the VM paused once it is built"),
                    param("force", .bool, doc: "Start even if the VM's configuration checks fail"),
                ],
                doc: "Start a halted VM on a host with room for it.",
                errors: stateErrors + [.hostNotEnoughFreeMemory, .noHostsAvailable, .bootloaderFailed], role: .vmOperator),
            message(
                "hard_shutdown", [vm], doc: "Stop the VM at once, as pulling the power cord does.",
                errors: stateErrors, role: .vmOperator),
            message(
                "clean_shutdown", [vm], doc: "Ask the guest to shut down, and wait until it has.",
                errors: stateErrors + [.vmMissingPVDrivers, .vmShutdownTimeout], role: .vmOperator),
            message(
                "shutdown", [vm], doc: "Shut the VM down: cleanly if the guest can, otherwise at once.",
                errors: stateErrors, role: .vmOperator),
            message(
                "clean_reboot", [vm], doc: "Ask the guest to restart, and wait until it is up again.",
                errors: stateErrors + [.vmMissingPVDrivers, .vmShutdownTimeout], role: .vmOperator),
            message(
                "hard_reboot", [vm], doc: "Restart the VM at once, as pressing the reset button does.",
                errors: stateErrors, role: .vmOperator),
            message(
                "suspend", [vm],
                doc: "Save the running guest's state into a new suspend VDI (`suspend_VDI`) and stop it; `resume` carries on from there.",
                errors: stateErrors + [.vmMissingPVDrivers, .vmNoSuspendSR], role: .vmOperator),
            message(
                "resume",
                [
                    vm, param("start_paused", .bool, doc: "Leave the VM paused once it is restored"),
                    param("force", .bool, doc: "Resume even if the VM's configuration checks fail"),
                ],
                doc: "Restore a suspended VM on a host with room for it.",
                errors: stateErrors + [.hostNotEnoughFreeMemory], role: .vmOperator),
            message(
                "start_on",
                [
                    vm, param("host", .ref("host"), doc: "The host to start the VM on"),
                    param("start_paused", .bool, doc: "Leave the VM paused once it is built"),
                    param("force", .bool, doc: "Start even if the VM's configuration checks fail"),
                ],
                doc: "Start a halted VM on the given host.",
                errors: stateErrors + [.hostNotEnoughFreeMemory, .hostDisabled, .hostNotLive], role: .vmPowerAdmin),
            message(
                "resume_on",
                [
                    vm, param("host", .ref("host"), doc: "The host to resume the VM on"),
                    param("start_paused", .bool, doc: "Leave the VM paused once it is restored"),
                    param("force", .bool, doc: "Resume even if the VM's configuration checks fail"),
                ],
                doc: "Restore a suspended VM on the given host.",
                errors: stateErrors + [.hostNotEnoughFreeMemory, .hostDisabled, .hostNotLive], role: .vmPowerAdmin),
            message(
                "pool_migrate",
                [
                    vm, param("host", .ref("host"), doc: "The host to migrate the VM to"),
                    param("options", .stringMap, doc: "Extra options (`live`: the only kind this pool does)"),
                ],
                doc: "Move a running VM to another host of the pool while it runs.",
                errors: stateErrors + [.hostNotEnoughFreeMemory, .hostDisabled, .vmMissingPVDrivers],
                role: .vmPowerAdmin),
            message(
                "assert_can_boot_here",
                [param("self", .ref("VM"), doc: "The VM"), param("host", .ref("host"), doc: "The host")],
                doc: "Fails, with the reason, unless the VM could boot on the host now.",
                errors: [.hostNotEnoughFreeMemory, .hostDisabled, .hostNotLive], role: .readOnly),
            message("pause", [vm], doc: "Pause a running VM.", errors: stateErrors, role: .vmOperator),
            message("unpause", [vm], doc: "Resume a paused VM.", errors: stateErrors, role: .vmOperator),
            message(
                "destroy", [param("self", .ref("VM"), doc: "The VM")],
                doc: "Destroy a halted or suspended VM, or a template (not a default one), with its metrics.",
                errors: stateErrors + [.handleInvalid], role: .vmAdmin, replacesImplicit: true),
        ]
    }
}
