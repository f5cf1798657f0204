import XenAPI
import XenDB
import XenUpdates

/// What the pool's mirrors offer each host, computed as xapi's `GET /host_updates` and its
/// consolidation do: the enabled repositories' packages and the update repository's
/// updateinfo, read from the coordinator's mirrors, against each host's package database.
struct UpdateAvailability: Sendable {
    /// The packages of every enabled repository.
    var available: [RPMPackage]
    /// The update repository's updateinfo (empty when only base repositories are enabled).
    var info: UpdateInfo
    /// The hash of that updateinfo, as the database and the mirror agree on it.
    var hash: String

    /// Reads the mirrors of the enabled repositories. The update repository's mirror must hold
    /// the updateinfo whose hash the database recorded at the last sync: a mirror changed
    /// behind the toolstack's back, or never synced, is refused.
    static func load(_ services: CoreServices) throws(XenAPIError) -> UpdateAvailability {
        let snapshot = services.database.snapshot
        guard let pool = snapshot.objects(Pool.self).first else { throw XenAPIError.noRepositoryEnabled() }
        let repositories = pool.repositories.compactMap { snapshot[$0] }
        guard !repositories.isEmpty else { throw XenAPIError.noRepositoryEnabled() }
        let updating = repositories.filter(\.update)
        guard updating.count <= 1 else { throw XenAPIError.multipleUpdateRepositoriesEnabled() }
        var available: [RPMPackage] = []
        var info = UpdateInfo(apiVersion: nil, updates: [])
        var hash = ""
        for repository in repositories {
            let content: RepositoryMirror.Content
            do {
                content = try services.updates.mirror(repository.uuid).read()
            } catch {
                if case .updateInfo = error { throw XenAPIError.invalidUpdateinfoXml() }
                throw XenAPIError.getUpdatesFailed()
            }
            available += content.packages
            if repository.update {
                guard let synced = content.hash, synced == repository.hash, !synced.isEmpty else {
                    throw XenAPIError.updateinfoHashMismatch()
                }
                info = content.info ?? info
                hash = synced
            }
        }
        return UpdateAvailability(available: available, info: info, hash: hash)
    }

    /// The updates of one host.
    func updates(of host: Ref<Host>, _ services: CoreServices) async throws(XenAPIError) -> HostUpdates {
        let packages = try services.packages(of: host, in: services.database.snapshot)
        return UpdateEvaluation.evaluate(host: await packages.state(), available: available, info: info)
    }

    /// The updates of several hosts, in the order given.
    func updates(of hosts: [Ref<Host>], _ services: CoreServices) async throws(XenAPIError) -> [(Ref<Host>, HostUpdates)] {
        var result: [(Ref<Host>, HostUpdates)] = []
        for host in hosts { result.append((host, try await updates(of: host, services))) }
        return result
    }
}
