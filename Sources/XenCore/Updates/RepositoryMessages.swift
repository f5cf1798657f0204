import XenAPI
import XenDB

/// `Repository.*`: the pool's update channels, as records (xapi's `repository.ml`). A name and a
/// binary URL belong to one repository only; a repository enabled in the pool cannot be forgotten.
struct RepositoryMessages: RepositoryActions {
    let services: CoreServices

    func introduce(
        _ context: CallContext, nameLabel: String, nameDescription: String, binaryUrl: String, sourceUrl: String, update: Bool,
        gpgkeyPath: String
    ) async throws -> Ref<Repository> {
        let allowlist = services.updates.domainAllowlist
        try RepositoryURLRules.assertValid(binaryUrl, allowlist: allowlist)
        try RepositoryURLRules.assertValid(sourceUrl, allowlist: allowlist)
        try RepositoryURLRules.assertKeyName(gpgkeyPath)
        var record = Repository()
        record.nameLabel = nameLabel
        record.nameDescription = nameDescription
        record.binaryUrl = binaryUrl
        record.sourceUrl = sourceUrl
        record.update = update
        record.gpgkeyPath = gpgkeyPath
        record.origin = .remote
        return try await create(record)
    }

    func introduceBundle(_ context: CallContext, nameLabel: String, nameDescription: String) async throws -> Ref<Repository> {
        var record = Repository()
        record.nameLabel = nameLabel
        record.nameDescription = nameDescription
        record.update = true
        record.origin = .bundle
        return try await create(record)
    }

    func introduceRemotePool(
        _ context: CallContext, nameLabel: String, nameDescription: String, binaryUrl: String, certificate: String
    ) async throws -> Ref<Repository> {
        try RepositoryURLRules.assertRemotePool(binaryUrl)
        var record = Repository()
        record.nameLabel = nameLabel
        record.nameDescription = nameDescription
        record.binaryUrl = binaryUrl
        record.update = true
        record.origin = .remotePool
        record.certificate = certificate
        return try await create(record)
    }

    func forget(_ context: CallContext, object repository: Ref<Repository>) async throws {
        let uuid = try await services.database.write { (tx: inout Transaction) throws(XenAPIError) -> String in
            let record = try tx.snapshot.require(repository)
            if tx.snapshot.objects(Pool.self).contains(where: { $0.repositories.contains(repository) }) {
                throw XenAPIError.repositoryIsInUse()
            }
            try tx.delete(repository)
            return record.uuid
        }
        services.updates.mirror(uuid).remove()
    }

    func setGpgkeyPath(_ context: CallContext, object repository: Ref<Repository>, value: String) async throws {
        try RepositoryURLRules.assertKeyName(value)
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.set(repository, \.gpgkeyPath, value)
        }
    }

    /// Adds the record unless its name, its binary URL (for remote ones) or its being a bundle
    /// repository is taken.
    private func create(_ record: Repository) async throws(XenAPIError) -> Ref<Repository> {
        var record = record
        record.uuid = services.environment.makeUUID()
        let ref: Ref<Repository> = services.makeRef()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for existing in tx.snapshot.objects(Repository.self) {
                if existing.nameLabel == record.nameLabel || (!record.binaryUrl.isEmpty && existing.binaryUrl == record.binaryUrl) {
                    throw XenAPIError.repositoryAlreadyExists(ref: existing.ref.rawValue)
                }
                if record.origin == .bundle, existing.origin == .bundle {
                    throw XenAPIError.bundleRepositoryAlreadyExists(ref: existing.ref.rawValue)
                }
            }
            try tx.insert(ref, record)
        }
        return ref
    }
}
