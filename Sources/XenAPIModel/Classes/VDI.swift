extension DataModel {
    /// The `VDI` class: a virtual disk image stored in an SR.
    @_optimize(none)
    static func vdiClass() -> ClassModel {
        ClassModel(
            name: "VDI", doc: "A virtual disk image held in a storage repository.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                namespace(
                    "name",
                    [
                        field(
                            "label", .string, .staticReadOnly, default: .string(""),
                            doc: "Human-readable name"),
                        field(
                            "description", .string, .staticReadOnly, default: .string(""),
                            doc: "Human-readable description"),
                    ]),
                field(
                    "allowed_operations", .set(.enumeration("vdi_operations")), default: .emptySet,
                    doc: "Operations currently allowed on the VDI"),
                field(
                    "current_operations", .map(.string, .enumeration("vdi_operations")), default: .emptyMap,
                    doc: "Operations in progress, keyed by task reference"),
                field("SR", .ref("SR"), .staticReadOnly, doc: "The storage repository holding the disk"),
                field("VBDs", .set(.ref("VBD")), doc: "Block devices attaching this disk"),
                field("crash_dumps", .set(.ref("crashdump")), doc: "Crash dumps stored in this disk"),
                field("virtual_size", .int, .staticReadOnly, doc: "Size seen by the guest, in bytes"),
                field("physical_utilisation", .int, doc: "Space used on the storage, in bytes"),
                field("type", .enumeration("vdi_type"), .staticReadOnly, doc: "What the disk is used for"),
                field("sharable", .bool, .staticReadOnly, doc: "Whether several VMs may attach the disk at once"),
                field("read_only", .bool, .staticReadOnly, doc: "Whether the disk may only be attached read-only"),
                field("other_config", .stringMap, .readWrite, doc: "Additional configuration"),
                field("storage_lock", .bool, doc: "Whether a storage-level lock is held"),
                field("location", .string, default: .string(""), doc: "Location of the disk within its SR"),
                field("managed", .bool, doc: "Whether the toolstack manages the disk"),
                field("missing", .bool, doc: "Whether the last SR scan failed to find the disk"),
                field("parent", .ref("VDI"), lifecycle: .deprecated, doc: "The parent disk in a chain (unused)"),
                field(
                    "xenstore_data", .stringMap, .readWrite, default: .emptyMap,
                    doc: "Data written to xenstore when the disk is attached"),
                field("sm_config", .stringMap, .readWrite, default: .emptyMap, doc: "Storage-driver specific data"),
                field("is_a_snapshot", .bool, default: .bool(false), doc: "True if this disk is a snapshot"),
                field("snapshot_of", .ref("VDI"), default: .nullRef, doc: "The disk this is a snapshot of"),
                field("snapshots", .set(.ref("VDI")), doc: "Snapshots of this disk"),
                field("snapshot_time", .datetime, default: .epoch, doc: "When this snapshot was taken"),
                field("tags", .stringSet, .readWrite, default: .emptySet, doc: "User-defined tags"),
                field(
                    "allow_caching", .bool, default: .bool(false),
                    doc: "Whether the disk may be cached in a local SR"),
                field(
                    "on_boot", .enumeration("on_boot"), default: .enumeration("persist"),
                    doc: "Whether the disk keeps or discards changes across VM boots"),
                field(
                    "metadata_of_pool", .ref("pool"), default: .nullRef,
                    doc: "The pool whose metadata the disk holds, if any"),
                field(
                    "metadata_latest", .bool, default: .bool(false),
                    doc: "Whether the disk holds the latest pool metadata"),
                field("is_tools_iso", .bool, default: .bool(false), doc: "Whether this is the guest tools ISO"),
                field(
                    "cbt_enabled", .bool, default: .bool(false),
                    doc: "Whether changed block tracking is enabled"),
            ],
            messages: [
                message(
                    "create", [param("args", .record("VDI"), doc: "The new disk's fields")], result: .ref("VDI"),
                    doc: "Make a new, empty disk in an SR (its size rounded up as the SR's driver rounds it).",
                    errors: [.srFull, .srHasNoPBDs, .srOperationNotSupported, .handleInvalid], role: .vmAdmin,
                    replacesImplicit: true),
                message(
                    "destroy", [param("self", .ref("VDI"), doc: "The disk")],
                    doc: "Delete a disk and its file; drives of halted VMs that held it go with it.",
                    errors: [.vdiInUse, .otherOperationInProgress, .srOperationNotSupported], role: .vmAdmin,
                    replacesImplicit: true),
                message(
                    "snapshot",
                    [
                        param("vdi", .ref("VDI"), doc: "The disk"),
                        param("driver_params", .stringMap, doc: "Options for the SR's driver", default: .emptyMap),
                    ],
                    result: .ref("VDI"), doc: "A read-only point-in-time copy of the disk, sharing its blocks.",
                    errors: [.srBackendFailure, .vdiInUse, .srOperationNotSupported], role: .vmPowerAdmin),
                message(
                    "clone",
                    [
                        param("vdi", .ref("VDI"), doc: "The disk"),
                        param("driver_params", .stringMap, doc: "Options for the SR's driver", default: .emptyMap),
                    ],
                    result: .ref("VDI"), doc: "A writable copy-on-write copy of the disk.",
                    errors: [.srBackendFailure, .vdiInUse, .srOperationNotSupported], role: .vmAdmin),
                message(
                    "copy",
                    [
                        param("vdi", .ref("VDI"), doc: "The disk"), param("sr", .ref("SR"), doc: "Where the copy goes"),
                        param("base_vdi", .ref("VDI"), doc: "Unused: incremental copies are not made", default: .nullRef),
                        param("into_vdi", .ref("VDI"), doc: "Unused: copies always go to a new disk", default: .nullRef),
                    ],
                    result: .ref("VDI"), doc: "A full, independent copy of the disk's content (its chain collapsed).",
                    errors: [.srFull, .srHasNoPBDs, .vdiInUse, .srOperationNotSupported], role: .vmAdmin),
                message(
                    "forget", [param("vdi", .ref("VDI"), doc: "The disk")],
                    doc: "Remove the disk's record and leave its file; an SR scan finds it again.",
                    errors: [.vdiInUse], role: .poolOperator),
                message(
                    "resize",
                    [param("vdi", .ref("VDI"), doc: "The disk"), param("size", .int, doc: "The new size, in bytes")],
                    doc: "Grow a disk that no running VM has plugged in.", errors: [.vdiInUse, .vdiTooSmall],
                    role: .vmAdmin),
                message(
                    "resize_online",
                    [param("vdi", .ref("VDI"), doc: "The disk"), param("size", .int, doc: "The new size, in bytes")],
                    doc: "Grow a disk while its running VM has it plugged in.", errors: [.vdiTooSmall], role: .vmAdmin),
                message(
                    "enable_cbt", [param("self", .ref("VDI"), doc: "The disk")],
                    doc: "Start tracking which blocks of the disk change (Premium Edition).",
                    errors: [.licenceRestriction], role: .poolOperator),
                message(
                    "disable_cbt", [param("self", .ref("VDI"), doc: "The disk")],
                    doc: "Stop tracking which blocks of the disk change.", errors: [.licenceRestriction],
                    role: .poolOperator),
            ],
            hasImplicitConstructor: true, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
