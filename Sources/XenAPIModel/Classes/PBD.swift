extension DataModel {
    /// The `PBD` class: the connection between a host and an SR.
    @_optimize(none)
    static func pbdClass() -> ClassModel {
        ClassModel(
            name: "PBD", doc: "A physical block device: how a host connects to a storage repository.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                field("host", .ref("host"), .staticReadOnly, doc: "The host of the connection"),
                field("SR", .ref("SR"), .staticReadOnly, doc: "The storage repository of the connection"),
                field(
                    "device_config", .stringMap, .staticReadOnly,
                    doc: "Driver configuration used to connect (for example the server address)"),
                field("currently_attached", .bool, doc: "Whether the SR is currently plugged on the host"),
                field("other_config", .stringMap, .readWrite, default: .emptyMap, doc: "Additional configuration"),
            ],
            messages: [
                message(
                    "plug", [param("self", .ref("PBD"), doc: "The connection")],
                    doc: "Connect the host to the SR (mounting it if it lives on a server).",
                    errors: [.srBackendFailure, .hostOffline]),
                message(
                    "unplug", [param("self", .ref("PBD"), doc: "The connection")],
                    doc: "Disconnect the host from the SR; no running VM may use its disks there.",
                    errors: [.vdiInUse]),
            ],
            hasImplicitConstructor: true, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
