import XenAPIModel

/// The commands xe writes by hand (`cli_frontend.ml`), grouped by what they work on; each takes
/// the place of a generic command of the same name.
enum CustomCommands {
    static func all(catalogue: CLICatalogue, model: DataModel) -> [CLICommand] {
        VMPowerCommands.all(catalogue) + VMInstallCommands.all(catalogue) + DeviceCommands.all(catalogue, model: model)
            + HostCommands.all(catalogue) + StorageCommands.all(catalogue) + ExportCommands.all(catalogue) + UpdateCommands.all(catalogue) + DatabaseBackupCommands.all() + RollingCommands.all() + PoolMembershipCommands.all() + [EventWaitCommand.make(catalogue), taskCancel(catalogue)]
    }

    static func taskCancel(_ catalogue: CLICatalogue) -> CLICommand {
        CLICommand(name: "task-cancel", help: "Cancel the task with this uuid.", required: ["uuid"]) { run in
            try await run.call("task.cancel", .string(try GenericCommands.lookUp(catalogue["task"]!, run)))
        }
    }
}
