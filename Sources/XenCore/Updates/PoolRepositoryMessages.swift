import Foundation
import XenAPI
import XenDB

/// The pool's enabled repositories, its repository proxy and its sync schedule (xapi's
/// `xapi_pool.ml`): one update repository at most, a bundle or remote-pool repository alone;
/// changing the set drops the mirrors of removed repositories and the hashes of added ones and
/// starts the sync history again.
extension PoolMessages {
    func setRepositories(_ context: CallContext, object pool: Ref<Pool>, value: [Ref<Repository>]) async throws {
        try await PoolOperations.run(services, .configureRepositories, context: context) {
            try await configure(pool) { _ in value }
        }
    }

    func addRepository(_ context: CallContext, object pool: Ref<Pool>, value: Ref<Repository>) async throws {
        try await PoolOperations.run(services, .configureRepositories, context: context) {
            try await configure(pool) { $0.contains(value) ? $0 : $0 + [value] }
        }
    }

    func removeRepository(_ context: CallContext, object pool: Ref<Pool>, value: Ref<Repository>) async throws {
        try await PoolOperations.run(services, .configureRepositories, context: context) {
            try await configure(pool) { $0.filter { $0 != value } }
        }
    }

    /// Replaces the enabled set with what `change` makes of it, after xapi's checks.
    private func configure(_ pool: Ref<Pool>, _ change: ([Ref<Repository>]) -> [Ref<Repository>]) async throws(XenAPIError) {
        let removed = try await services.database.write { (tx: inout Transaction) throws(XenAPIError) -> [String] in
            let record = try tx.snapshot.require(pool)
            var wanted: [Ref<Repository>] = []
            for ref in change(record.repositories) where !wanted.contains(ref) { wanted.append(ref) }
            let repositories = try wanted.map { (ref: Ref<Repository>) throws(XenAPIError) in try tx.snapshot.require(ref) }
            if repositories.filter(\.update).count > 1 { throw XenAPIError.multipleUpdateRepositoriesEnabled() }
            if repositories.count > 1, repositories.contains(where: { $0.origin != .remote }) {
                throw XenAPIError.repoShouldBeSingleOneEnabled()
            }
            guard Set(wanted) != Set(record.repositories) else { return [] }
            let gone = record.repositories.filter { !wanted.contains($0) }
            for ref in gone + wanted.filter({ !record.repositories.contains($0) }) where tx.snapshot.contains(ref) {
                try tx.set(ref, \.hash, "")
            }
            try tx.update(pool) { pool in
                pool.repositories = wanted
                pool.lastUpdateSync = .epoch
                // Scheduled syncs are for remote repositories only.
                if repositories.contains(where: { $0.origin != .remote }) { pool.updateSyncEnabled = false }
            }
            for host in tx.snapshot.refs(Host.self) {
                if wanted.isEmpty { try tx.set(host, \.latestSyncedUpdatesApplied, .unknown) }
            }
            return gone.compactMap { record in tx.snapshot[record]?.uuid }
        }
        for uuid in removed { services.updates.mirror(uuid).remove() }
        services.updateSchedule.reschedule(services)
    }

    func configureRepositoryProxy(_ context: CallContext, object pool: Ref<Pool>, url: String, username: String, password: String) async throws {
        guard let parsed = URLComponents(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
            let host = parsed.host, !host.isEmpty, parsed.user == nil, parsed.password == nil
        else { throw XenAPIError.invalidRepositoryProxyUrl(url: url) }
        guard username.isEmpty == password.isEmpty, !username.contains("\n"), !password.contains("\n") else {
            throw XenAPIError.invalidRepositoryProxyCredential()
        }
        let secret: Ref<Secret> = services.makeRef()
        let uuid = services.environment.makeUUID()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let record = try tx.snapshot.require(pool)
            if tx.snapshot.contains(record.repositoryProxyPassword) { try tx.delete(record.repositoryProxyPassword) }
            var newSecret: Ref<Secret> = .null
            if !password.isEmpty {
                try tx.insert(secret) { $0.uuid = uuid; $0.value = password }
                newSecret = secret
            }
            try tx.update(pool) { pool in
                pool.repositoryProxyUrl = url
                pool.repositoryProxyUsername = username
                pool.repositoryProxyPassword = newSecret
            }
        }
    }

    func disableRepositoryProxy(_ context: CallContext, object pool: Ref<Pool>) async throws {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let record = try tx.snapshot.require(pool)
            if tx.snapshot.contains(record.repositoryProxyPassword) { try tx.delete(record.repositoryProxyPassword) }
            try tx.update(pool) { pool in
                pool.repositoryProxyUrl = ""
                pool.repositoryProxyUsername = ""
                pool.repositoryProxyPassword = .null
            }
        }
    }

    func configureUpdateSync(_ context: CallContext, object pool: Ref<Pool>, updateSyncFrequency: UpdateSyncFrequency, updateSyncDay: Int64) async throws {
        guard updateSyncFrequency == .daily || (0...6).contains(updateSyncDay) else {
            throw XenAPIError.invalidUpdateSyncDay(day: String(updateSyncDay))
        }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.update(pool) { pool in
                pool.updateSyncFrequency = updateSyncFrequency
                pool.updateSyncDay = updateSyncFrequency == .daily ? 0 : updateSyncDay
            }
        }
        services.updateSchedule.reschedule(services)
    }

    func setUpdateSyncEnabled(_ context: CallContext, object pool: Ref<Pool>, value: Bool) async throws {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let record = try tx.snapshot.require(pool)
            if value {
                let repositories = record.repositories.compactMap { tx.snapshot[$0] }
                if repositories.isEmpty { throw XenAPIError.noRepositoriesConfigured() }
                if repositories.contains(where: { $0.origin != .remote }) { throw XenAPIError.canNotPeriodicSyncUpdates() }
            }
            try tx.set(pool, \.updateSyncEnabled, value)
        }
        services.updateSchedule.reschedule(services)
    }
}
