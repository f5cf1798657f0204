extension DataModel {
    /// The `SR` class: a storage repository holding VDIs.
    @_optimize(none)
    static func srClass() -> ClassModel {
        ClassModel(
            name: "SR", doc: "A storage repository: a container of virtual disk images.",
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
                    "allowed_operations", .set(.enumeration("storage_operations")), default: .emptySet,
                    doc: "Operations currently allowed on the SR"),
                field(
                    "current_operations", .map(.string, .enumeration("storage_operations")), default: .emptyMap,
                    doc: "Operations in progress, keyed by task reference"),
                field("VDIs", .set(.ref("VDI")), doc: "Disks held in the SR"),
                field("PBDs", .set(.ref("PBD")), doc: "Connections of hosts to the SR"),
                field("virtual_allocation", .int, doc: "Sum of the virtual sizes of the disks, in bytes"),
                field("physical_utilisation", .int, doc: "Physical space in use, in bytes"),
                field("physical_size", .int, .staticReadOnly, doc: "Total physical size, in bytes"),
                field("type", .string, .staticReadOnly, doc: "Storage driver type"),
                field("content_type", .string, .staticReadOnly, doc: "Kind of content (for example iso)"),
                field("shared", .bool, doc: "Whether every host in the pool can reach the SR"),
                field("other_config", .stringMap, .readWrite, doc: "Additional configuration"),
                field("tags", .stringSet, .readWrite, default: .emptySet, doc: "User-defined tags"),
                field("sm_config", .stringMap, .readWrite, default: .emptyMap, doc: "Storage-driver specific data"),
                field("blobs", .map(.string, .ref("blob")), default: .emptyMap, doc: "Binary blobs attached to the SR"),
                field(
                    "local_cache_enabled", .bool, default: .bool(false),
                    doc: "Whether the SR is used as a local cache"),
                field(
                    "introduced_by", .ref("DR_task"), default: .nullRef,
                    doc: "The disaster-recovery task that introduced the SR, if any"),
                field("clustered", .bool, default: .bool(false), doc: "Whether the SR uses a cluster stack"),
                field("is_tools_sr", .bool, default: .bool(false), doc: "Whether this SR holds the guest tools ISOs"),
            ],
            messages: srMessages(),
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }

    /// The SR's messages: making, connecting and forgetting storage, and reconciling its records.
    @_optimize(none)
    static func srMessages() -> [MessageModel] {
        let this = param("sr", .ref("SR"), doc: "The SR")
        let described = [
            param("name_label", .string, doc: "The SR's name"),
            param("name_description", .string, doc: "The SR's description"),
            param("type", .string, doc: "The driver: ext, file, nfs, smb or iso"),
            param("content_type", .string, doc: "What it holds (user, iso)"),
            param("shared", .bool, doc: "Whether every host reaches it"),
            param("sm_config", .stringMap, doc: "Driver-specific data", default: .emptyMap),
        ]
        return [
            message(
                "create",
                [
                    param("host", .ref("host"), doc: "The host that makes it (and, if shared, every host connects)"),
                    param("device_config", .stringMap, doc: "Where the storage is: location, or server and serverpath"),
                    param("physical_size", .int, doc: "Ignored: the size is the storage's"),
                ] + described,
                result: .ref("SR"), doc: "Make a storage repository on the given storage and connect the hosts to it.",
                errors: [.srUnknownDriver, .srBackendFailure, .srDeviceInUse, .hostOffline]),
            message(
                "introduce", [param("uuid", .string, doc: "The existing SR's uuid")] + described, result: .ref("SR"),
                doc: "Make the record of an existing SR without connecting it (add PBDs and plug them next).",
                errors: [.srUnknownDriver]),
            message(
                "forget", [this], doc: "Remove the SR's records (it must be unplugged everywhere); its files stay.",
                errors: [.srHasPBD]),
            message(
                "destroy", [this], doc: "Delete the SR's disks and records (it must be unplugged everywhere).",
                errors: [.srHasPBD, .srNotEmpty, .srOperationNotSupported]),
            message(
                "scan", [this], doc: "Reconcile the SR's disk records with its files, then collect its garbage.",
                errors: [.srHasNoPBDs, .srBackendFailure]),
            message("update", [this], doc: "Refresh the SR's sizes from its storage.", errors: [.srHasNoPBDs]),
            message(
                "get_supported_types", result: .stringSet, doc: "The SR types this pool's hosts can make.",
                role: .readOnly, async: false),
        ]
    }
}
