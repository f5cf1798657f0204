public import XenUpdates

/// A host's package database, as the machine keeps it (rpm's, on XenServer): what is installed,
/// what the live-patchable components run, the release the installer put there with the one
/// before it kept as a backup (XenServer's backup partition), and the changes an update or an
/// upgrade makes.
public protocol PackageDatabase: Sendable {
    /// What the host has installed and runs now.
    func state() async -> HostPackageState
    /// Installs `packages`, each replacing the installed package of its name and arch.
    func install(_ packages: [RPMPackage]) async throws(HypervisorError)
    /// Applies a live patch to its running component (whose build must be the patch's base).
    func applyLivepatch(_ patch: Livepatch) async throws(HypervisorError)
    /// The machine boots: each component runs the newest installed package, unpatched. A boot
    /// that fails leaves the host down (it can be powered on again).
    func booted() async throws(HypervisorError)
    /// The release the host runs.
    func release() async -> HostRelease
    /// The release kept as a backup by the last upgrade, if any.
    func backupRelease() async -> HostRelease?
    /// Installs `release` with its `packages` as the installer does, keeping what the host had
    /// as the backup; the host then boots it.
    func upgrade(to release: HostRelease, packages: [RPMPackage]) async throws(HypervisorError)
    /// Puts the backup back (and keeps what was replaced as the backup in turn).
    func restoreBackup() async throws(HypervisorError)
}
