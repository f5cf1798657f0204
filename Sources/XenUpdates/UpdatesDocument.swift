import Foundation

/// The JSON of xapi's `GET /updates` (`get_updates_handler`): every selected host with its
/// guidance, RPMs, update ids and live patches; the records of the updates those hosts take,
/// their live patches pruned to those chosen for some host; the hash; and the updateinfo's
/// `xapi-api-version` when it has one.
public enum UpdatesDocument {
    /// The document for `hosts` (each with its ref), as UTF-8 JSON.
    public static func json(hosts: [(ref: String, updates: HostUpdates)], info: UpdateInfo, hash: String) -> [UInt8] {
        var document: [String: Any] = [:]
        if let version = info.apiVersion { document["xapi-api-version"] = version }
        document["hosts"] = hosts.map { host -> [String: Any] in
            [
                "ref": host.ref,
                "guidance": Dictionary(uniqueKeysWithValues: GuidanceKind.reported.map { ($0.rawValue, host.updates.tasks($0).map(\.rawValue)) }),
                "RPMS": host.updates.rpms.map(\.fullName),
                "updates": host.updates.updateIDs,
                "livepatches": host.updates.livepatches.map(livepatch),
            ]
        }
        let wanted = Set(hosts.flatMap(\.updates.updateIDs))
        let chosen = hosts.flatMap(\.updates.livepatches)
        document["updates"] = info.updates.filter { wanted.contains($0.id) }.map { update -> [String: Any] in
            let livepatches = update.livepatches.filter { patch in
                chosen.contains { $0.component == patch.component && $0.baseBuildID == patch.baseBuildID }
            }
            return [
                "id": update.id, "summary": update.summary, "description": update.description, "special-info": update.specialInfo,
                "URL": update.url, "type": update.type, "issued": update.issued, "severity": update.severity,
                "livepatches": livepatches.map(livepatch),
                "guidance": Dictionary(uniqueKeysWithValues: GuidanceKind.allCases.map { ($0.rawValue, update.tasks($0).map(\.rawValue)) }),
                "title": update.title,
            ]
        }
        document["hash"] = hash
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data("{}".utf8)
        return [UInt8](data)
    }

    static func livepatch(_ patch: Livepatch) -> [String: Any] {
        [
            "component": patch.component.rawValue, "base_build_id": patch.baseBuildID, "base_version": patch.baseVersion,
            "base_release": patch.baseRelease, "to_version": patch.toVersion, "to_release": patch.toRelease,
        ]
    }
}
