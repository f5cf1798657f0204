public import XenUpdates

/// A host's package database, as the machine keeps it (rpm's, on XenServer): what is installed,
/// what the live-patchable components run, and the changes an update makes.
public protocol PackageDatabase: Sendable {
    /// What the host has installed and runs now.
    func state() async -> HostPackageState
    /// Installs `packages`, each replacing the installed package of its name and arch.
    func install(_ packages: [RPMPackage]) async throws(HypervisorError)
    /// Applies a live patch to its running component (whose build must be the patch's base).
    func applyLivepatch(_ patch: Livepatch) async throws(HypervisorError)
    /// The machine booted: each component runs the newest installed package, unpatched.
    func booted() async
}
