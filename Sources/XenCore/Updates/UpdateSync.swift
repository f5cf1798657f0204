import Foundation
import XenAPI
import XenDB
import XenUpdates

/// `pool.sync_updates` and the offline bundle's sync: the coordinator mirrors each enabled
/// repository (signature and checksums checked, the previous mirror kept whole until the new
/// one is), records each update repository's hash and the time, and works out for every host
/// whether it has the latest synced updates. A failed sync changes nothing but raises an alert.
enum UpdateSync {
    /// Mirrors the enabled remote repositories; returns the update repository's hash.
    static func syncRemote(
        _ services: CoreServices, force: Bool, username: String = "", password: String = "",
        progress: @escaping (Double) async -> Void = { _ in }
    ) async throws(XenAPIError) -> String {
        let snapshot = services.database.snapshot
        guard let pool = snapshot.objects(Pool.self).first else { throw XenAPIError.noRepositoryEnabled() }
        let repositories = pool.repositories.compactMap { snapshot[$0] }
        guard !repositories.isEmpty else { throw XenAPIError.noRepositoryEnabled() }
        guard repositories.filter(\.update).count <= 1 else { throw XenAPIError.multipleUpdateRepositoriesEnabled() }
        guard !repositories.contains(where: { $0.origin == .bundle }) else { throw XenAPIError.canNotSyncUpdates() }
        let proxy = proxySettings(pool, snapshot)
        var hashes: [(Ref<Repository>, String)] = []
        for (number, repository) in repositories.enumerated() {
            let mirror = services.updates.mirror(repository.uuid)
            if force { mirror.remove() }
            let content: RepositoryMirror.Content
            let access =
                repository.origin == .remotePool
                ? RepositoryAccess(
                    baseURL: repository.binaryUrl, username: username, password: password, pinnedCertificate: repository.certificate)
                : RepositoryAccess(baseURL: repository.binaryUrl, proxy: proxy)
            let source: any RepositorySource
            do {
                source = try services.updates.openSource(access)
            } catch {
                await raiseFailure(services, pool: pool.ref, repository: repository.nameLabel, reason: "\(error)")
                throw XenAPIError.reposyncFailed()
            }
            do {
                content = try await mirror.sync(
                    from: source, armoredKey: try key(services, named: repository.gpgkeyPath), scratch: scratchFolder(services)
                ) { fraction in await progress((Double(number) + fraction) / Double(repositories.count)) }
                await source.close()
            } catch {
                await source.close()
                await raiseFailure(services, pool: pool.ref, repository: repository.nameLabel, reason: error.description)
                if case .updateInfo = error { throw XenAPIError.invalidUpdateinfoXml() }
                throw XenAPIError.reposyncFailed()
            }
            hashes.append((repository.ref, repository.update ? content.hash ?? "" : ""))
        }
        return try await recordSync(services, pool: pool.ref, hashes: hashes)
    }

    /// Syncs the unpacked bundle in `folder` into the bundle repository's mirror.
    static func syncBundle(_ services: CoreServices, folder: String) async throws(XenAPIError) -> String {
        let snapshot = services.database.snapshot
        guard let pool = snapshot.objects(Pool.self).first else { throw XenAPIError.bundleRepoNotEnabled() }
        let repositories = pool.repositories.compactMap { snapshot[$0] }
        guard repositories.count == 1, let repository = repositories.first, repository.origin == .bundle else {
            throw XenAPIError.bundleRepoNotEnabled()
        }
        let content: RepositoryMirror.Content
        do {
            let armoredKey = try key(services, named: "")
            content = try await services.updates.mirror(repository.uuid).sync(
                from: FolderSource(path: folder), armoredKey: armoredKey, scratch: scratchFolder(services))
        } catch {
            await raiseFailure(services, pool: pool.ref, repository: repository.nameLabel, reason: error.description)
            throw XenAPIError.bundleSyncFailed()
        }
        return try await recordSync(services, pool: pool.ref, hashes: [(repository.ref, content.hash ?? "")])
    }

    /// Records the hashes and the time of the sync, then whether each host has the latest updates.
    private static func recordSync(
        _ services: CoreServices, pool: Ref<Pool>, hashes: [(Ref<Repository>, String)]
    ) async throws(XenAPIError) -> String {
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for (repository, hash) in hashes where tx.snapshot.contains(repository) { try tx.set(repository, \.hash, hash) }
            try tx.set(pool, \.lastUpdateSync, now)
        }
        try await refreshHostStates(services)
        return hashes.first { !$0.1.isEmpty }?.1 ?? ""
    }

    /// `latest_synced_updates_applied` of every host: `yes` when the mirrors offer it nothing.
    static func refreshHostStates(_ services: CoreServices) async throws(XenAPIError) {
        let availability = try UpdateAvailability.load(services)
        let hosts = services.database.snapshot.refs(XenAPI.Host.self)
        var states: [(Ref<XenAPI.Host>, LatestSyncedUpdatesAppliedState)] = []
        for host in hosts {
            guard let updates = try? await availability.updates(of: host, services) else { continue }
            states.append((host, updates.isUpToDate ? .yes : .no))
        }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for (host, state) in states where tx.snapshot.contains(host) { try tx.set(host, \.latestSyncedUpdatesApplied, state) }
        }
    }

    /// The armoured public key `name` names in the key folder (the default key for an empty name).
    static func key(_ services: CoreServices, named name: String) throws(RepositoryMirror.Failure) -> [UInt8] {
        let file = services.updates.gpgKeyDirectory + "/" + (name.isEmpty ? services.updates.defaultKeyName : name)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .signature("no GPG key \(file) to check the repository with")
        }
        return [UInt8](data)
    }

    /// An empty folder for one signature check (the previous one's files are replaced).
    private static func scratchFolder(_ services: CoreServices) -> String {
        let folder = services.updates.mirrorRoot + "/.gpg-check"
        try? FileManager.default.removeItem(atPath: folder)
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The pool's repository proxy, its password read from its secret.
    private static func proxySettings(_ pool: ObjectView<Pool>, _ snapshot: Snapshot) -> RepositoryProxy? {
        guard !pool.repositoryProxyUrl.isEmpty, let url = URLComponents(string: pool.repositoryProxyUrl), let host = url.host else { return nil }
        let port = url.port ?? (url.scheme == "https" ? 443 : 80)
        let password = snapshot[pool.repositoryProxyPassword]?.value ?? ""
        return RepositoryProxy(host: host, port: port, username: pool.repositoryProxyUsername, password: password)
    }

    /// Sets the task's progress, when there is a task.
    static func report(_ services: CoreServices, _ task: Ref<Task>?, _ fraction: Double) async {
        guard let task else { return }
        try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            if tx.snapshot.contains(task) { try tx.set(task, \.progress, min(1, max(0, fraction))) }
        }
    }

    /// The alert a failed sync raises on the pool.
    static func raiseFailure(_ services: CoreServices, pool: Ref<Pool>, repository: String, reason: String, name: String = "UPDATE_SYNC_FAILED") async {
        guard let uuid = services.database.snapshot[pool]?.uuid else { return }
        _ = try? await AlertMessages.raise(
            services, name: name, priority: 3, cls: .pool, objUUID: uuid,
            body: "Synchronising updates from repository \(repository) failed: \(reason)")
    }
}
