import Crypto
import class Foundation.JSONEncoder
public import XenBackend
public import XenUpdates

/// The package database of a simulated host, kept in the simulation's storage so it outlives the
/// toolstack as a real host's rpm database does. A fresh host has XenServer 8.4.0's packages;
/// `install` fails at the step `install-packages`, `applyLivepatch` at `apply-livepatch` and
/// `upgrade` at `upgrade-install` and a boot at `host-boot` when the fault oracle says so.
public actor SimulatedPackageDatabase: PackageDatabase {
    /// What the machine keeps: the installed software and release, and the backup of the one before.
    struct Software: Codable {
        var packages: HostPackageState
        var release: HostRelease
        var backup: Backup?

        struct Backup: Codable {
            var packages: HostPackageState
            var release: HostRelease
        }
    }

    private var software: Software
    private var current: HostPackageState {
        get { software.packages }
        set { software.packages = newValue }
    }
    private let record: StoredRecord<Software>?
    private let fails: @Sendable (String) -> Bool

    public init(storage: (any SimulationStorage)?, name: String, fails: @escaping @Sendable (String) -> Bool = { _ in false }) throws {
        let record = storage.map { StoredRecord<Software>(storage: $0, name: name) }
        if let stored = try? record?.load() {
            software = stored
        } else if let storage, let packages = try? StoredRecord<HostPackageState>(storage: storage, name: name).load() {
            // Written before releases were kept: the packages alone.
            software = Software(packages: packages, release: .xenServer84)
        } else {
            software = Software(packages: Self.fresh, release: .xenServer84)
        }
        record?.save(software)
        self.record = record
        self.fails = fails
    }

    public func state() -> HostPackageState { current }

    /// What the machine keeps, in the form it keeps it, for another pool's rack to carry on
    /// from (`SimulatedMachines.describe`).
    public func exported() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return [UInt8](try encoder.encode(software))
    }

    public func release() -> HostRelease { software.release }

    public func backupRelease() -> HostRelease? { software.backup?.release }

    public func upgrade(to release: HostRelease, packages: [RPMPackage]) throws(HypervisorError) {
        if fails("upgrade-install") { throw .injectedFault(step: "upgrade-install") }
        let previous = Software.Backup(packages: software.packages, release: software.release)
        var installed = software.packages.installed
        for package in packages {
            installed.removeAll { $0.nameArch == package.nameArch }
            installed.append(package)
        }
        software = Software(packages: HostPackageState(installed: installed, running: Self.running(installed)), release: release, backup: previous)
        record?.save(software)
    }

    public func restoreBackup() throws(HypervisorError) {
        guard let backup = software.backup else { throw .noBackupRelease }
        software = Software(
            packages: HostPackageState(installed: backup.packages.installed, running: Self.running(backup.packages.installed)),
            release: backup.release, backup: Software.Backup(packages: software.packages, release: software.release))
        record?.save(software)
    }

    public func install(_ packages: [RPMPackage]) throws(HypervisorError) {
        if fails("install-packages") { throw .injectedFault(step: "install-packages") }
        for package in packages {
            current.installed.removeAll { $0.nameArch == package.nameArch }
            current.installed.append(package)
        }
        record?.save(software)
    }

    public func applyLivepatch(_ patch: Livepatch) throws(HypervisorError) {
        if fails("apply-livepatch") { throw .injectedFault(step: "apply-livepatch") }
        guard let index = current.running.firstIndex(where: { $0.component == patch.component && $0.baseBuildID == patch.baseBuildID }) else {
            throw .injectedFault(step: "apply-livepatch")
        }
        current.running[index].livepatchTo = VersionRelease(version: patch.toVersion, release: patch.toRelease)
        record?.save(software)
    }

    public func booted() throws(HypervisorError) {
        if fails("host-boot") { throw .injectedFault(step: "host-boot") }
        current.running = Self.running(current.installed)
        record?.save(software)
    }

    /// A fresh host's packages: the base repository of XenServer 8.4.0.
    public static let freshPackages: [RPMPackage] = [
        ("kernel", nil, "4.19.19", "8.0.37.xs8", "x86_64"), ("xen-hypervisor", nil, "4.17.5", "5.xs8", "x86_64"),
        ("xapi-core", nil, "25.6.0", "1.1.xs8", "x86_64"), ("xapi-xe", nil, "25.6.0", "1.1.xs8", "x86_64"),
        ("xenopsd-xc", nil, "25.6.0", "1.1.xs8", "x86_64"), ("qemu", 2, "4.2.1", "5.2.12.xs8", "x86_64"),
        ("qemu-dp", 2, "7.0.0", "19.xs8", "x86_64"), ("sm", nil, "3.2.12", "1.xs8", "x86_64"),
        ("varstored", nil, "1.2.0", "3.xs8", "x86_64"), ("xsconsole", nil, "11.0.6", "1.xs8", "x86_64"),
        ("guest-templates-json", nil, "2.0.14", "1.xs8", "noarch"), ("xenserver-pv-tools", nil, "8.4.0", "1.xs8", "noarch"),
        ("xenserver-release", nil, "8.4.0", "1.xs8", "x86_64"),
    ].map { RPMPackage(name: $0.0, epoch: $0.1, version: $0.2, release: $0.3, arch: $0.4) }

    /// A fresh host: its packages, each component running the build it booted.
    public static var fresh: HostPackageState { HostPackageState(installed: freshPackages, running: running(freshPackages)) }

    /// What runs after a boot: each component from the newest installed package it boots from,
    /// unpatched.
    static func running(_ installed: [RPMPackage]) -> [RunningComponent] {
        LivepatchComponent.allCases.sorted { $0.rawValue < $1.rawValue }.compactMap { component in
            let candidates = installed.filter { $0.name == component.package }
            guard let newest = candidates.max(by: { $1.isNewer(than: $0) }) else { return nil }
            return RunningComponent(component: component, baseBuildID: buildID(of: newest))
        }
    }

    /// The build id of a component booted from `package`: the SHA-1 of `<name>-<version>-<release>`.
    public static func buildID(of package: RPMPackage) -> String {
        HexText.of(Insecure.SHA1.hash(data: Array("\(package.name)-\(package.version)-\(package.release)".utf8)))
    }
}
