import Foundation
import XenAPI
import XenBackend
import XenDB
import XenUpdates

/// `host.upgrade` and `host.restore_backup`: the installer's work on one host, in the
/// simulator's terms. The host must be disabled with no VM running (as for a reboot); it is
/// down while the new release installs (twice a boot's time) and boots into it, the old one kept
/// as the backup. A member can never run a newer release than the coordinator, so the order the
/// upgrade documents prescribe (coordinator first) cannot be broken. A failed install brings
/// the host back with the release it had.
extension HostMessages {
    /// What an upgrade source's `release.json` says.
    struct ReleaseDescription: Decodable {
        var productVersion: String
        var platformVersion: String
        var xapiVersion: String
        var buildNumber: String?
        /// Full names of the packages the release installs.
        var packages: [String]?
    }

    func upgrade(_ context: CallContext, host: Ref<XenAPI.Host>, source: String) async throws {
        let (release, packages) = try await Self.readRelease(source, services)
        let snapshot = services.database.snapshot
        let coordinator = services.localHost(snapshot)
        if host != coordinator, let ahead = RollingUpgrade.release(of: coordinator, in: snapshot), ahead < release {
            throw XenAPIError.upgradeCoordinatorFirst(
                host: host.rawValue, version: release.productVersion, coordinatorVersion: ahead.productVersion)
        }
        let database = try services.packages(of: host, in: snapshot)
        try await reinstall(context, host) { () throws(HypervisorError) in
            try await database.upgrade(to: release, packages: packages)
        }
    }

    func restoreBackup(_ context: CallContext, host: Ref<XenAPI.Host>) async throws {
        let database = try services.packages(of: host, in: services.database.snapshot)
        guard await database.backupRelease() != nil else { throw XenAPIError.hostHasNoBackup(host: host.rawValue) }
        try await reinstall(context, host) { () throws(HypervisorError) in try await database.restoreBackup() }
    }

    /// Takes the host down, runs `install` while it is down, and boots it into whatever release
    /// it then has, its `software_version` and the pool's rolling-upgrade flag following.
    private func reinstall(
        _ context: CallContext, _ host: Ref<XenAPI.Host>, _ install: () async throws(HypervisorError) -> Void
    ) async throws {
        let lock = try await goDown(context, host, .reboot)
        var failure: HypervisorError?
        try? await services.environment.sleep(services.configuration.hostBootTime * 2)
        do throws(HypervisorError) {
            try await install()
        } catch {
            failure = error
        }
        let database = try services.packages(of: host, in: services.database.snapshot)
        let release = await database.release()
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            guard let record = tx.snapshot[host] else { return }
            try tx.set(host, \.softwareVersion, RollingUpgrade.softwareVersion(release, hostname: record.hostname, date: now))
            try RollingUpgrade.refresh(&tx)
        }
        try await Self.finishBoot(services, host: host, lock: lock)
        if let failure { throw XenAPIError.upgradeFailed(host: host.rawValue, reason: "\(failure)") }
    }

    /// Reads the release an upgrade source describes: `release.json` in a folder, or at a URL.
    static func readRelease(_ source: String, _ services: CoreServices) async throws(XenAPIError) -> (HostRelease, [RPMPackage]) {
        let bytes: [UInt8]
        do {
            if source.hasPrefix("http://") || source.hasPrefix("https://") {
                let fetcher = try services.updates.openSource(RepositoryAccess(baseURL: source))
                do {
                    bytes = try await fetcher.fetch("release.json")
                    await fetcher.close()
                } catch {
                    await fetcher.close()
                    throw error
                }
            } else {
                let folder = source.hasPrefix("file://") ? String(source.dropFirst("file://".count)) : source
                bytes = try await FolderSource(path: folder).fetch("release.json")
            }
        } catch {
            throw XenAPIError.upgradeSourceInvalid(source: source, reason: "cannot read release.json: \(error)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let description = try? decoder.decode(ReleaseDescription.self, from: Data(bytes)) else {
            throw XenAPIError.upgradeSourceInvalid(source: source, reason: "release.json is not a release description")
        }
        var packages: [RPMPackage] = []
        for name in description.packages ?? [] {
            guard let package = RPMPackage(fullName: name) else {
                throw XenAPIError.upgradeSourceInvalid(source: source, reason: "not a package: \(name)")
            }
            packages.append(package)
        }
        let release = HostRelease(
            productVersion: description.productVersion, platformVersion: description.platformVersion,
            xapiVersion: description.xapiVersion, buildNumber: description.buildNumber ?? "")
        return (release, packages)
    }
}
