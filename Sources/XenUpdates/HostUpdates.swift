/// What a host installs and runs, as far as updates are concerned.
public struct HostPackageState: Sendable, Hashable, Codable {
    public var installed: [RPMPackage]
    public var running: [RunningComponent]

    public init(installed: [RPMPackage], running: [RunningComponent]) {
        self.installed = installed
        self.running = running
    }
}

/// The updates a host can take and what they ask for (xapi's `HostUpdates`).
public struct HostUpdates: Sendable {
    /// The reduced, cascaded guidance of each reported kind, in xapi's order.
    public var guidance: [GuidanceKind: [Guidance]]
    /// The newest package for each installed package that has a newer one (xapi's `RPMS`).
    public var rpms: [RPMPackage]
    /// The ids of the updates the host takes, sorted.
    public var updateIDs: [String]
    /// The live patches chosen for the host's running components.
    public var livepatches: [Livepatch]

    /// The tasks of `kind`.
    public func tasks(_ kind: GuidanceKind) -> [Guidance] { guidance[kind] ?? [] }

    /// Nothing to install and no live patch to apply (`latest_synced_updates_applied = yes`).
    public var isUpToDate: Bool { rpms.isEmpty && livepatches.isEmpty }

    /// The host must be empty of VMs before the update (`HOST_EVACUATION_IS_REQUIRED`).
    public var requiresEvacuation: Bool {
        let mandatory = tasks(.mandatory)
        return mandatory.contains(.rebootHost) || mandatory.contains(.evacuateHost)
    }
}

/// The per-host computation of xapi's `repository_helpers.ml`, pure: which packages update, which
/// updates they come from, which live patches apply, and the guidance that results.
public enum UpdateEvaluation {
    /// A package a host would take with the update it comes from.
    struct Accumulative {
        var package: RPMPackage
        var installed: RPMPackage
        var updateID: String
    }

    /// Evaluates `host` against the packages the enabled repositories offer (`available`) and
    /// the update repository's `info`.
    public static func evaluate(host: HostPackageState, available: [RPMPackage], info: UpdateInfo) -> HostUpdates {
        var installed: [String: RPMPackage] = [:]
        for package in host.installed { installed[package.nameArch] = package }
        var latest: [String: RPMPackage] = [:]
        for package in available {
            guard let current = installed[package.nameArch], package.isNewer(than: current) else { continue }
            if let best = latest[package.nameArch], !package.isNewer(than: best) { continue }
            latest[package.nameArch] = package
        }
        var accumulative: [Accumulative] = []
        for update in info.updates {
            for package in update.packages {
                guard let current = installed[package.nameArch], let newest = latest[package.nameArch],
                    package.isNewer(than: current), !package.isNewer(than: newest)
                else { continue }
                accumulative.append(Accumulative(package: package, installed: current, updateID: update.id))
            }
        }
        let byID = Dictionary(info.updates.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var chosen: [(latest: Livepatch, delivering: Set<String>)] = []
        if !evaluate(.mandatory, accumulative, byID, livepatchUpdates: []).contains(.rebootHost) {
            chosen = host.running.compactMap { livepatch(for: $0, info: info) }
        }
        let livepatchUpdates = chosen.reduce(into: Set<String>()) { $0.formUnion($1.delivering) }
        let sets = GuidanceKind.reported.map { evaluate($0, accumulative, byID, livepatchUpdates: livepatchUpdates) }
        let cascaded = GuidanceReduction.cascade(sets)
        var guidance: [GuidanceKind: [Guidance]] = [:]
        for (kind, set) in zip(GuidanceKind.reported, cascaded) { guidance[kind] = set.sorted() }
        let ids = Set(accumulative.map(\.updateID)).union(livepatchUpdates)
        return HostUpdates(
            guidance: guidance, rpms: latest.values.sorted { $0.fullName < $1.fullName }, updateIDs: ids.sorted(),
            livepatches: chosen.map(\.latest))
    }

    /// The tasks of `kind` the host's packages bring, reduced: each updated package contributes
    /// its update's guidance when the update has no applicability or one holds for the installed
    /// package. For `recommended`, an update delivered by a chosen live patch contributes its
    /// livepatch guidance instead, and every such update contributes it even when its packages
    /// are already installed.
    static func evaluate(
        _ kind: GuidanceKind, _ accumulative: [Accumulative], _ byID: [String: UpdateInfo.Update], livepatchUpdates: Set<String>
    ) -> Set<Guidance> {
        var result: Set<Guidance> = []
        for entry in accumulative {
            guard let update = byID[entry.updateID] else { continue }
            guard update.applicabilities.isEmpty || update.applicabilities.contains(where: { $0.holds(for: entry.installed) }) else {
                continue
            }
            if kind == .recommended, livepatchUpdates.contains(update.id) {
                result.formUnion(update.tasks(.livepatch))
            } else if kind != .livepatch {
                result.formUnion(update.tasks(kind))
            }
        }
        if kind == .recommended {
            for id in livepatchUpdates { result.formUnion(byID[id]?.tasks(.livepatch) ?? []) }
        }
        return GuidanceReduction.reduce(result)
    }

    /// The live patch for a running component: among the updates' live patches for its
    /// component and build, newer than what it runs, the newest (they are cumulative); none
    /// when the newest live patch of the component does not cover its build. Also the ids of
    /// the updates those live patches come from.
    static func livepatch(for running: RunningComponent, info: UpdateInfo) -> (latest: Livepatch, delivering: Set<String>)? {
        let ofComponent = info.updates.flatMap { update in
            update.livepatches.filter { $0.component == running.component }.map { (patch: $0, id: update.id) }
        }
        guard let newest = newestTarget(ofComponent.map(\.patch)),
            ofComponent.contains(where: {
                $0.patch.baseBuildID == running.baseBuildID && $0.patch.toVersion == newest.toVersion && $0.patch.toRelease == newest.toRelease
            })
        else { return nil }
        let candidates = ofComponent.filter { entry in
            guard entry.patch.baseBuildID == running.baseBuildID else { return false }
            guard let applied = running.livepatchTo else { return true }
            return RPMVersionOrder.compare(epoch: nil, entry.patch.toVersion, entry.patch.toRelease, with: nil, applied.version, applied.release)
                == .greater
        }
        guard let latest = newestTarget(candidates.map(\.patch)) else { return nil }
        return (latest, Set(candidates.map(\.id)))
    }

    /// The live patch with the highest target version, the first of equals.
    static func newestTarget(_ patches: [Livepatch]) -> Livepatch? {
        patches.reduce(nil) { best, patch in
            guard let best else { return patch }
            let order = RPMVersionOrder.compare(epoch: nil, patch.toVersion, patch.toRelease, with: nil, best.toVersion, best.toRelease)
            return order == .greater ? patch : best
        }
    }
}
