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
                field(
                    "name_label", .string, .readWrite, default: .string(""), column: "name__label",
                    doc: "Human-readable name"),
                field(
                    "name_description", .string, .readWrite, default: .string(""), column: "name__description",
                    doc: "Human-readable description"),
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
                field(
                    "memory_overhead", .int, default: .int(0), column: "memory__overhead",
                    doc: "Virtualisation memory overhead, in bytes"),
                field(
                    "memory_target", .int, .staticReadOnly, default: .int(0), lifecycle: .deprecated,
                    column: "memory__target", doc: "Dynamically set memory target, in bytes"),
                field(
                    "memory_static_max", .int, .staticReadOnly, column: "memory__static_max",
                    doc: "Static upper bound of memory, in bytes"),
                field(
                    "memory_dynamic_max", .int, .staticReadOnly, column: "memory__dynamic_max",
                    doc: "Dynamic upper bound of memory, in bytes"),
                field(
                    "memory_dynamic_min", .int, .staticReadOnly, column: "memory__dynamic_min",
                    doc: "Dynamic lower bound of memory, in bytes"),
                field(
                    "memory_static_min", .int, .staticReadOnly, column: "memory__static_min",
                    doc: "Static lower bound of memory, in bytes"),
                field(
                    "VCPUs_params", .stringMap, .readWrite, column: "VCPUs__params",
                    doc: "VCPU scheduling parameters"),
                field("VCPUs_max", .int, .staticReadOnly, column: "VCPUs__max", doc: "Maximum number of VCPUs"),
                field(
                    "VCPUs_at_startup", .int, .staticReadOnly, column: "VCPUs__at_startup",
                    doc: "Number of VCPUs at boot"),
                field(
                    "actions_after_softreboot", .enumeration("on_softreboot_behavior"), .readWrite,
                    default: .enumeration("soft_reboot"), lifecycle: .prototyped,
                    column: "actions__after_softreboot", doc: "What to do when the guest requests a soft reboot"),
                field(
                    "actions_after_shutdown", .enumeration("on_normal_exit"), .readWrite,
                    column: "actions__after_shutdown", doc: "What to do when the guest shuts down"),
                field(
                    "actions_after_reboot", .enumeration("on_normal_exit"), .readWrite,
                    column: "actions__after_reboot", doc: "What to do when the guest reboots"),
                field(
                    "actions_after_crash", .enumeration("on_crash_behaviour"), .staticReadOnly,
                    column: "actions__after_crash", doc: "What to do when the guest crashes"),
                field("consoles", .set(.ref("console")), doc: "Consoles of the VM"),
                field("VIFs", .set(.ref("VIF")), doc: "Virtual network interfaces of the VM"),
                field("VBDs", .set(.ref("VBD")), doc: "Virtual block devices of the VM"),
                field("VUSBs", .set(.ref("VUSB")), doc: "Virtual USB devices of the VM"),
                field("crash_dumps", .set(.ref("crashdump")), doc: "Crash dumps of the VM"),
                field("VTPMs", .set(.ref("VTPM")), doc: "Virtual TPMs of the VM"),
                field(
                    "PV_bootloader", .string, .readWrite, column: "PV__bootloader",
                    doc: "Bootloader used to boot a PV guest"),
                field("PV_kernel", .string, .readWrite, column: "PV__kernel", doc: "Path to the PV kernel"),
                field("PV_ramdisk", .string, .readWrite, column: "PV__ramdisk", doc: "Path to the PV initrd"),
                field("PV_args", .string, .readWrite, column: "PV__args", doc: "Kernel command line for a PV guest"),
                field(
                    "PV_bootloader_args", .string, .readWrite, column: "PV__bootloader_args",
                    doc: "Extra arguments for the PV bootloader"),
                field(
                    "PV_legacy_args", .string, .readWrite, column: "PV__legacy_args",
                    doc: "Legacy kernel arguments for old PV guests"),
                field(
                    "HVM_boot_policy", .string, .staticReadOnly, lifecycle: .deprecated, column: "HVM__boot_policy",
                    doc: "HVM boot policy"),
                field(
                    "HVM_boot_params", .stringMap, .readWrite, column: "HVM__boot_params",
                    doc: "HVM boot parameters (for example the boot order)"),
                field(
                    "HVM_shadow_multiplier", .float, .staticReadOnly, default: .float(1),
                    column: "HVM__shadow_multiplier", doc: "Multiplier applied to the shadow memory of an HVM guest"),
                field("platform", .stringMap, .readWrite, doc: "Platform settings of the virtual hardware"),
                field(
                    "PCI_bus", .string, .readWrite, lifecycle: .deprecated,
                    doc: "PCI bus path of passed-through devices"),
                field("other_config", .stringMap, .readWrite, doc: "Additional configuration"),
                field("domid", .int, doc: "Domain ID while running, -1 otherwise"),
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
                    "groups", .set(.ref("VM_group")), .staticReadOnly, default: .emptySet,
                    doc: "Placement groups the VM belongs to"),
                field(
                    "secureboot_certificates_state", .enumeration("vm_secureboot_certificates_state"),
                    default: .enumeration("ok"), doc: "Whether the VM's Secure Boot certificates need an update"),
            ],
            messages: [],
            hasImplicitConstructor: true, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
