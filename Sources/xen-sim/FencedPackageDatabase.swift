import Synchronization
import XenBackend
import XenUpdates

/// A host's package database as one incarnation of the toolstack reaches it: once that process
/// has crashed, its installs, upgrades and boots no longer reach the machine (what it reads is
/// still the machine's).
final class FencedPackageDatabase: PackageDatabase {
    private let inner: any PackageDatabase
    private let fenced = Atomic(false)

    init(_ inner: any PackageDatabase) { self.inner = inner }

    /// The process that owns this handle has died.
    func fence() { fenced.store(true, ordering: .sequentiallyConsistent) }

    private func check(_ step: String) throws(HypervisorError) {
        if fenced.load(ordering: .sequentiallyConsistent) { throw .cancelled(step: step) }
    }

    func state() async -> HostPackageState { await inner.state() }

    func install(_ packages: [RPMPackage]) async throws(HypervisorError) {
        try check("install-packages")
        try await inner.install(packages)
    }

    func applyLivepatch(_ patch: Livepatch) async throws(HypervisorError) {
        try check("apply-livepatch")
        try await inner.applyLivepatch(patch)
    }

    func booted() async throws(HypervisorError) {
        try check("host-boot")
        try await inner.booted()
    }

    func release() async -> HostRelease { await inner.release() }

    func backupRelease() async -> HostRelease? { await inner.backupRelease() }

    func upgrade(to release: HostRelease, packages: [RPMPackage]) async throws(HypervisorError) {
        try check("upgrade-install")
        try await inner.upgrade(to: release, packages: packages)
    }

    func restoreBackup() async throws(HypervisorError) {
        try check("restore-backup")
        try await inner.restoreBackup()
    }
}
