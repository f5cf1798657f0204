import Foundation

/// A repository's `updateinfo.xml` as xapi reads it (`updateinfo.ml`): the updates with their
/// guidance, applicabilities, live patches and packages.
public struct UpdateInfo: Sendable {
    /// `<updates xapi-api-version=…>`, repeated by `GET /updates`.
    public var apiVersion: String?
    public var updates: [Update]

    public init(apiVersion: String?, updates: [Update]) {
        self.apiVersion = apiVersion
        self.updates = updates
    }

    /// One `<update>`.
    public struct Update: Sendable {
        public var id: String
        public var title: String
        public var summary: String
        public var description: String
        public var specialInfo: String
        public var url: String
        public var type: String
        /// `issued` in xapi's form, `20260106T09:00:00Z` (`19700101T00:00:00Z` when unreadable).
        public var issued: String
        /// `High` or `None` (anything else reads as `None`).
        public var severity: String
        /// The tasks of each kind, as listed (unknown values read as `RebootHost`).
        public var guidance: [GuidanceKind: [Guidance]]
        public var applicabilities: [Applicability]
        public var livepatches: [Livepatch]
        /// The packages of its `<pkglist>`.
        public var packages: [RPMPackage]

        /// The tasks of `kind`.
        public func tasks(_ kind: GuidanceKind) -> [Guidance] { guidance[kind] ?? [] }
    }

    /// `<applicability>`: the update's guidance applies to a host only where the installed
    /// package it names satisfies the inequality.
    public struct Applicability: Sendable, Hashable {
        public enum Inequality: String, Sendable, Hashable {
            case lt, lte, eq, gt, gte
        }

        public var name: String
        public var arch: String
        public var inequality: Inequality
        public var epoch: Int?
        public var version: String
        public var release: String

        /// Whether `installed` (of this name and arch) satisfies the inequality.
        public func holds(for installed: RPMPackage) -> Bool {
            guard installed.name == name, installed.arch == arch else { return false }
            let order = RPMVersionOrder.compare(
                epoch: installed.epoch, installed.version, installed.release, with: epoch, version, release)
            switch inequality {
            case .lt: return order == .less
            case .lte: return order != .greater
            case .eq: return order == .equal
            case .gt: return order == .greater
            case .gte: return order != .less
            }
        }
    }

    /// Why updateinfo could not be read (xapi: `INVALID_UPDATEINFO_XML`).
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Reads `updateinfo.xml`. Updates need an `id`, a `summary` and a `type`, and ids are
    /// unique; a bad date, applicability or live patch is skipped (it must not block updates).
    public static func parse(_ bytes: [UInt8]) throws(Invalid) -> UpdateInfo {
        guard let root = XMLElementTree.parse(bytes), root.name == "updates" else {
            throw Invalid(description: "updateinfo.xml is not an <updates> document")
        }
        var updates: [Update] = []
        var seen: Set<String> = []
        for element in root.children("update") {
            guard let id = element.text(of: "id"), !id.isEmpty, let summary = element.text(of: "summary"),
                let type = element.attributes["type"], !type.isEmpty
            else {
                throw Invalid(description: "an update lacks its id, summary or type")
            }
            guard seen.insert(id).inserted else { throw Invalid(description: "update \(id) is listed twice") }
            var guidance: [GuidanceKind: [Guidance]] = [:]
            for kind in GuidanceKind.allCases {
                guidance[kind] = element.child("guidance")?.child(kind.rawValue)?.children("value").map { Guidance(value: $0.text) } ?? []
            }
            let severity = element.text(of: "severity") == "High" ? "High" : "None"
            updates.append(
                Update(
                    id: id, title: element.text(of: "title") ?? "", summary: summary,
                    description: element.text(of: "description") ?? "", specialInfo: element.text(of: "special_info") ?? "",
                    url: element.text(of: "url") ?? "", type: type,
                    issued: issuedDate(element.child("issued")?.attributes["date"]), severity: severity, guidance: guidance,
                    applicabilities: (element.child("guidance_applicabilities")?.children("applicability") ?? []).compactMap(applicability),
                    livepatches: (element.child("livepatches")?.children("livepatch") ?? []).compactMap(livepatch),
                    packages: element.child("pkglist")?.children("collection").flatMap { $0.children("package") }.compactMap(package) ?? []))
        }
        let version = root.attributes["xapi-api-version"]
        return UpdateInfo(apiVersion: updates.isEmpty ? nil : version, updates: updates)
    }

    /// `2026-01-06 09:00:00` as xapi writes dates, `20260106T09:00:00Z`.
    static func issuedDate(_ text: String?) -> String {
        let fallback = "19700101T00:00:00Z"
        guard let text else { return fallback }
        let parts = text.split(separator: " ")
        guard parts.count == 2 else { return fallback }
        let day = parts[0].split(separator: "-")
        let time = parts[1].split(separator: ":")
        guard day.count == 3, time.count == 3, day[0].count == 4, [day[1], day[2], time[0], time[1], time[2]].allSatisfy({ $0.count == 2 }),
            (day + time).allSatisfy({ $0.allSatisfy(\.isNumber) })
        else { return fallback }
        return "\(day[0])\(day[1])\(day[2])T\(time[0]):\(time[1]):\(time[2])Z"
    }

    static func applicability(_ element: XMLElementTree) -> Applicability? {
        guard let name = element.text(of: "name"), let arch = element.text(of: "arch"),
            let inequality = element.text(of: "inequality").flatMap({ Applicability.Inequality(rawValue: $0.lowercased()) }),
            let version = element.text(of: "version"), let release = element.text(of: "release")
        else { return nil }
        let epoch = RPMPackage.epoch(Substring(element.text(of: "epoch") ?? "None"))
        guard epoch.valid else { return nil }
        return Applicability(name: name, arch: arch, inequality: inequality, epoch: epoch.value, version: version, release: release)
    }

    static func livepatch(_ element: XMLElementTree) -> Livepatch? {
        guard let component = element.attributes["component"].flatMap(LivepatchComponent.init(rawValue:)),
            let buildID = element.attributes["base-buildid"], !buildID.isEmpty,
            let base = element.attributes["base"].flatMap(VersionRelease.init),
            let to = element.attributes["to"].flatMap(VersionRelease.init)
        else { return nil }
        return Livepatch(
            component: component, baseBuildID: buildID, baseVersion: base.version, baseRelease: base.release, toVersion: to.version,
            toRelease: to.release)
    }

    static func package(_ element: XMLElementTree) -> RPMPackage? {
        let attributes = element.attributes
        guard let name = attributes["name"], let version = attributes["version"], let release = attributes["release"],
            let arch = attributes["arch"]
        else { return nil }
        let epoch = RPMPackage.epoch(Substring(attributes["epoch"] ?? ""))
        guard epoch.valid else { return nil }
        return RPMPackage(name: name, epoch: epoch.value, version: version, release: release, arch: arch)
    }
}
