extension DataModel {
    /// The `VBD` class: a virtual block device connecting a VM to a VDI.
    @_optimize(none)
    static func vbdClass() -> ClassModel {
        ClassModel(
            name: "VBD", doc: "A virtual block device: attaches a VDI (or an empty CD drive) to a VM.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                field(
                    "allowed_operations", .set(.enumeration("vbd_operations")), default: .emptySet,
                    doc: "Operations currently allowed on the VBD"),
                field(
                    "current_operations", .map(.string, .enumeration("vbd_operations")), default: .emptyMap,
                    doc: "Operations in progress, keyed by task reference"),
                field("VM", .ref("VM"), .staticReadOnly, doc: "The VM the device belongs to"),
                field("VDI", .ref("VDI"), .staticReadOnly, doc: "The disk the device gives access to"),
                field("device", .string, .staticReadOnly, default: .string(""), doc: "Device name seen by the guest"),
                field("userdevice", .string, .readWrite, doc: "User-facing device number (position)"),
                field("bootable", .bool, .readWrite, doc: "Whether the device is bootable"),
                field("mode", .enumeration("vbd_mode"), .staticReadOnly, doc: "Read-only or read-write access"),
                field("type", .enumeration("vbd_type"), .readWrite, doc: "Kind of device: disk, CD or floppy"),
                field(
                    "unpluggable", .bool, .readWrite, default: .bool(true),
                    doc: "Whether the device may be hot-unplugged"),
                field("storage_lock", .bool, doc: "Whether a storage-level lock is held"),
                field("empty", .bool, .staticReadOnly, doc: "Whether the device has no media (empty CD drive)"),
                field("other_config", .stringMap, .readWrite, doc: "Additional configuration"),
                field(
                    "currently_attached", .bool, .staticReadOnly, default: .bool(false),
                    doc: "Whether the device is attached to the running VM"),
                field("status_code", .int, doc: "Error code of the last attach attempt"),
                field("status_detail", .string, doc: "Error detail of the last attach attempt"),
                field("runtime_properties", .stringMap, doc: "Backend properties while attached"),
                namespace(
                    "qos",
                    [
                        field(
                            "algorithm_type", .string, .readWrite,
                            doc: "QoS algorithm to apply"),
                        field(
                            "algorithm_params", .stringMap, .readWrite,
                            doc: "Parameters of the QoS algorithm"),
                        field(
                            "supported_algorithms", .stringSet,
                            doc: "QoS algorithms the backend supports"),
                    ]),
                field(
                    "metrics", .ref("VBD_metrics"), default: .nullRef, lifecycle: .removed,
                    doc: "Metrics of the device (no longer maintained)"),
            ],
            messages: [
                message(
                    "plug", [param("self", .ref("VBD"), doc: "The device")],
                    doc: "Hot-plug the device into its running VM (the guest needs its PV drivers).",
                    errors: [.vmBadPowerState, .deviceAlreadyAttached, .vmMissingPVDrivers], role: .vmAdmin),
                message(
                    "unplug", [param("self", .ref("VBD"), doc: "The device")],
                    doc: "Hot-unplug the device from its running VM.",
                    errors: [.vmBadPowerState, .deviceAlreadyDetached, .vmMissingPVDrivers], role: .vmAdmin),
                message(
                    "unplug_force", [param("self", .ref("VBD"), doc: "The device")],
                    doc: "Unplug the device without the guest's help.",
                    errors: [.vmBadPowerState, .deviceAlreadyDetached], role: .vmAdmin),
                message(
                    "insert", [param("vbd", .ref("VBD"), doc: "The CD drive"), param("vdi", .ref("VDI"), doc: "The disc")],
                    doc: "Put a disc into an empty CD drive.",
                    errors: [.vbdNotEmpty, .vbdNotRemovableMedia, .handleInvalid], role: .vmOperator),
                message(
                    "eject", [param("vbd", .ref("VBD"), doc: "The CD drive")],
                    doc: "Take the disc out of a CD drive.", errors: [.vbdIsEmpty, .vbdNotRemovableMedia], role: .vmOperator),
            ],
            hasImplicitConstructor: true, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
