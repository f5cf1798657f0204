import XenRPC

/// `sr-create`, `sr-introduce` and `snapshot-revert`, whose parameters are not one object's.
enum StorageCommands {
    static func all(_ catalogue: CLICatalogue) -> [CLICommand] {
        [
            CLICommand(
                name: "sr-create",
                help: "Create an SR of type= (ext, file, nfs, smb, iso) on the storage device-config: names "
                    + "(an ISO library: type=iso content-type=iso device-config:location=/srv/isos). Prints its uuid.",
                required: ["name-label", "type"],
                optional: ["name-description", "host-uuid", "shared", "physical-size", "content-type"],
                mapParameters: ["device-config", "sm-config"]
            ) { run in
                let snapshot = run.snapshot
                var host = RPCValue.string(snapshot.refs("pool").first.flatMap { snapshot.value("pool", $0, "master")?.stringValue } ?? "OpaqueRef:NULL")
                if let uuid = run.invocation["host-uuid"] { host = try DeviceCommands.ref("host", uuid, run) }
                let parsing = CLIValueParsing(snapshot: snapshot, model: .current)
                let sr = try await run.runTask(
                    "SR.create", host, DeviceCommands.mapEntries("device-config", run),
                    try parsing.value(run.invocation["physical-size"] ?? "0", type: .int, field: "physical-size"),
                    .string(try run.invocation.required("name-label")), .string(run.invocation["name-description"] ?? ""),
                    .string(try run.invocation.required("type")), .string(run.invocation["content-type"] ?? ""),
                    try parsing.value(run.invocation["shared"] ?? "false", type: .bool, field: "shared"),
                    DeviceCommands.mapEntries("sm-config", run))
                await run.print(run.snapshot.value("SR", sr, "uuid")?.stringValue ?? sr)
            },
            CLICommand(
                name: "sr-introduce",
                help: "Make the record of an existing SR (uuid=) without connecting it: create and plug its PBDs next.",
                required: ["uuid", "name-label", "type"], optional: ["name-description", "shared", "content-type"],
                mapParameters: ["sm-config"]
            ) { run in
                let parsing = CLIValueParsing(snapshot: run.snapshot, model: .current)
                let sr = try await run.call(
                    "SR.introduce", .string(try run.invocation.required("uuid")), .string(try run.invocation.required("name-label")),
                    .string(run.invocation["name-description"] ?? ""), .string(try run.invocation.required("type")),
                    .string(run.invocation["content-type"] ?? ""),
                    try parsing.value(run.invocation["shared"] ?? "false", type: .bool, field: "shared"),
                    DeviceCommands.mapEntries("sm-config", run))
                await run.print(run.snapshot.value("SR", sr.stringValue ?? "", "uuid")?.stringValue ?? "")
            },
            CLICommand(
                name: "pbd-create", help: "Create the connection of a host to an SR (device-config: as for sr-create). Prints its uuid.",
                required: ["host-uuid", "sr-uuid"], mapParameters: ["device-config"]
            ) { run in
                let record = ConstructorRecord.make("PBD", [
                    "host": try DeviceCommands.ref("host", run.invocation.required("host-uuid"), run),
                    "SR": try DeviceCommands.ref("SR", run.invocation.required("sr-uuid"), run),
                    "device_config": DeviceCommands.mapEntries("device-config", run),
                ])
                let pbd = try await run.call("PBD.create", record)
                await run.print(run.snapshot.value("PBD", pbd.stringValue ?? "", "uuid")?.stringValue ?? "")
            },
            CLICommand(
                name: "snapshot-revert", help: "Revert a VM to the snapshot snapshot-uuid= (or uuid=) names.",
                optional: ["snapshot-uuid", "uuid"]
            ) { run in
                guard let uuid = run.invocation["snapshot-uuid"] ?? run.invocation["uuid"] else {
                    throw CLIFailure.missingParameter("snapshot-uuid")
                }
                try await run.runTask("VM.revert", try DeviceCommands.ref("VM", uuid, run))
            },
        ]
    }
}
