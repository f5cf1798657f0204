public import XenAPI
import XenDB

/// The pool database's backup and restore, as xapi's `pool_db_backup.ml` does them: the dump is
/// the XML of `DatabaseDump`; a restore checks the dump's schema version (it must be this
/// toolstack's, `RESTORE_INCOMPATIBLE_VERSION` otherwise), makes the backup's coordinator this
/// host, and replaces every persisted object in one transaction; then the pool is brought up as
/// at a start (hosts for machines the backup lacks, VMs reconciled with what the hypervisors
/// run). A dry run stops after the checks.
public struct DatabaseBackup: Sendable {
    let services: CoreServices

    public init(toolstack: Toolstack) { services = toolstack.services }

    init(services: CoreServices) { self.services = services }

    /// The dump of the database as it is now.
    public func dump() -> [UInt8] { DatabaseDump.xml(services.database.snapshot) }

    /// Restores `bytes` (a dump), or only checks it with `dryRun`.
    public func restore(_ bytes: [UInt8], dryRun: Bool) async throws(XenAPIError) {
        let contents: DatabaseDump.Contents
        do {
            contents = try DatabaseDump.parse(bytes, schema: services.database.schema)
        } catch {
            throw XenAPIError.restoreIncompatibleVersion()
        }
        guard contents.schemaMajor == DatabaseDump.schemaVersion.major, contents.schemaMinor == DatabaseDump.schemaVersion.minor else {
            throw XenAPIError.restoreIncompatibleVersion()
        }
        var image = contents.image
        try adoptCoordinator(&image)
        guard !dryRun else { return }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.replacePersisted(with: image)
        }
        try await Toolstack.startUp(services)
    }

    /// The backup's coordinator becomes this host: its record takes this host's uuid when the
    /// backup was taken on another machine (xapi's `prepare_database_for_restore`).
    private func adoptCoordinator(_ image: inout PersistedSnapshot) throws(XenAPIError) {
        let snapshot = services.database.snapshot
        guard let localUUID = snapshot[services.localHost(snapshot)]?.uuid,
            let pool = image.tables[Pool.className]?.values.first,
            case .string(let master)? = pool.fields[Pool.columns.master.name],
            var record = image.tables[Host.className]?[master]
        else { throw XenAPIError.restoreTargetMgmtIfNotInBackup() }
        let hosts = image.tables[Host.className] ?? [:]
        let uuid = Host.columns.uuid.name
        if hosts.values.contains(where: { $0.fields[uuid] == .string(localUUID) }) { return }
        record.fields[uuid] = .string(localUUID)
        image.tables[Host.className]?[master] = record
    }
}
