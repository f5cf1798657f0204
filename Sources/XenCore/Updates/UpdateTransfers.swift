import Foundation
public import XenAPI
import XenDB
public import XenStorage
import XenUpdates

/// The update work the HTTP handlers do: the pool's view of available updates (`GET /updates`)
/// and the upload of an offline bundle (`PUT /bundle`).
public struct UpdateTransfers: Sendable {
    let services: CoreServices

    public init(toolstack: Toolstack) { services = toolstack.services }

    /// `GET /updates`: the JSON document for the hosts named (every host when `hostRefs` is nil).
    public func updatesDocument(hostRefs: [String]?) async throws(XenAPIError) -> [UInt8] {
        let snapshot = services.database.snapshot
        let hosts: [Ref<XenAPI.Host>]
        if let hostRefs {
            hosts = try hostRefs.map { (ref: String) throws(XenAPIError) -> Ref<XenAPI.Host> in
                guard snapshot.contains(Ref<XenAPI.Host>(ref)) else { throw XenAPIError.handleInvalid(className: XenAPI.Host.className, handle: ref) }
                return Ref<XenAPI.Host>(ref)
            }
        } else {
            hosts = snapshot.refs(XenAPI.Host.self)
        }
        let availability = try UpdateAvailability.load(services)
        let updates = try await availability.updates(of: hosts, services)
        return UpdatesDocument.json(hosts: updates.map { ($0.0.rawValue, $0.1) }, info: availability.info, hash: availability.hash)
    }

    /// `GET /repository/enabled/<path>`: a file of the mirror of the pool's enabled update
    /// repository, which other pools sync from (their `remote_pool` repositories); `nil` when
    /// there is no such file.
    public func enabledRepositoryFile(_ path: String) throws(XenAPIError) -> [UInt8]? {
        let snapshot = services.database.snapshot
        guard let pool = snapshot.objects(Pool.self).first,
            let repository = pool.repositories.compactMap({ snapshot[$0] }).first(where: \.update)
        else { throw XenAPIError.noRepositoryEnabled() }
        guard RepositoryPath.isSafe(path) else { return nil }
        return FileManager.default.contents(atPath: services.updates.mirror(repository.uuid).folder + "/" + path).map { [UInt8]($0) }
    }

    /// `PUT /bundle`: unpacks the bundle read from `reader` and syncs it as the enabled bundle
    /// repository; returns the hash. A refused bundle leaves the previous mirror as it was.
    public func uploadBundle(
        _ reader: ByteStreamReader, length: Int64, task: String, progress: @escaping (Double) async -> Void
    ) async throws(XenAPIError) -> String {
        let snapshot = services.database.snapshot
        guard let pool = snapshot.objects(Pool.self).first else { throw XenAPIError.bundleRepoNotEnabled() }
        let enabled = pool.repositories.compactMap { snapshot[$0] }
        guard enabled.count == 1, enabled.first?.origin == .bundle else { throw XenAPIError.bundleRepoNotEnabled() }
        let context = CallContext(session: .null, task: Ref(task), method: "pool.sync_bundle", origin: .localSocket)
        do {
            return try await PoolOperations.run(services, .syncUpdates, context: context) {
                let folder = services.updates.bundleFolder
                defer { try? FileManager.default.removeItem(atPath: folder) }
                do throws(BundleArchive.Refused) {
                    try await BundleArchive.unpack(reader, into: folder) { done in
                        await progress(0.7 * Double(done) / Double(max(length, 1)))
                    }
                } catch {
                    await UpdateSync.raiseFailure(services, pool: pool.ref, repository: "bundle", reason: error.description)
                    throw XenAPIError.bundleUnpackFailed(error: error.description)
                }
                let hash = try await UpdateSync.syncBundle(services, folder: folder)
                await progress(1)
                return hash
            }
        } catch let error as XenAPIError {
            throw error
        } catch {
            throw XenAPIError.internalError(message: "\(error)")
        }
    }
}
