import XenAPI
import XenDB

/// XenServer 8's editions and what each restricts, as the licensing daemon tells xapi: Premium
/// has every feature; Standard lacks the Premium ones; Trial has Premium's features on a pool of
/// at most three hosts, for 90 days, without rolling pool upgrade. A licence past its expiry
/// leaves running VMs alone but lets nothing new start on its host (`restrict_vm_start`).
enum Licensing {
    struct Edition: Sendable {
        var name: String
        var marketingName: String
        /// The features it lacks, by their `restrict_*` keys.
        var restricted: Set<String>
        /// How long a licence of it lasts from when it is applied.
        var term: Int64
    }

    private static let day: Int64 = 86_400

    /// The features only Premium has (XenServer 8's licensing overview).
    static let premiumOnly: Set<String> = [
        "restrict_wlb", "restrict_vgpu", "restrict_cbt", "restrict_igmp_snooping", "restrict_usb_passthrough",
        "restrict_network_sriov", "restrict_pvs_proxy", "restrict_intellicache",
    ]

    /// Every restriction key the pool reports, so `pool.restrictions` always lists them all.
    static let allKeys: [String] = (premiumOnly.union([
        "restrict_pool_size", "restrict_rpu", "restrict_vm_start", "restrict_vm_appliance_start", "restrict_xen_motion",
        "restrict_dmc", "restrict_pooling",
    ])).sorted()

    static let editions: [Edition] = [
        Edition(name: "premium-per-socket", marketingName: "XenServer Premium Edition", restricted: [], term: 365 * day),
        Edition(name: "standard-per-socket", marketingName: "XenServer Standard Edition", restricted: premiumOnly, term: 365 * day),
        Edition(name: "trial", marketingName: "XenServer Trial Edition", restricted: ["restrict_pool_size", "restrict_rpu"], term: 90 * day),
    ]

    /// The edition a new host starts with.
    static let defaultEdition = editions[0]

    /// The hosts of a pool larger than this need the `Pool_size` feature.
    static let restrictedPoolSize = 3

    static func edition(named name: String) -> Edition? { editions.first { $0.name == name } }

    /// The `license_params` of a licence of `edition` applied at `now`.
    static func licenseParams(_ edition: Edition, appliedAt now: DateTime) -> [String: String] {
        var params = [
            "sku_type": edition.name, "sku_marketing_name": edition.marketingName,
            "expiry": DateTime(secondsSinceEpoch: now.secondsSinceEpoch + edition.term).wireText,
        ]
        for key in allKeys { params[key] = edition.restricted.contains(key) ? "true" : "false" }
        return params
    }

    /// Whether the host's licence has run out at `now`.
    static func hasExpired(_ host: ObjectView<Host>, at now: DateTime) -> Bool {
        guard let text = host.licenseParams["expiry"], let expiry = DateTime(wire: text) else { return false }
        return expiry.secondsSinceEpoch < now.secondsSinceEpoch
    }

    /// The host's restrictions now: its edition's, and no starts once it has expired.
    static func restrictions(of host: ObjectView<Host>, at now: DateTime) -> Set<String> {
        var restricted = Set(allKeys.filter { host.licenseParams[$0] == "true" })
        if hasExpired(host, at: now) { restricted.formUnion(["restrict_vm_start", "restrict_vm_appliance_start"]) }
        return restricted
    }

    /// The pool's restrictions: a feature is restricted if any host lacks it.
    static func poolRestrictions(in snapshot: Snapshot, at now: DateTime) -> [String: String] {
        let restricted = snapshot.objects(Host.self).reduce(into: Set<String>()) { $0.formUnion(restrictions(of: $1, at: now)) }
        return Dictionary(uniqueKeysWithValues: allKeys.map { ($0, restricted.contains($0) ? "true" : "false") })
    }

    /// Refuses a feature the pool's licences lack, with xapi's `LICENCE_RESTRICTION [feature]`.
    static func assertEnabled(_ key: String, feature: String, in snapshot: Snapshot, at now: DateTime) throws(XenAPIError) {
        if poolRestrictions(in: snapshot, at: now)[key] == "true" { throw XenAPIError.licenceRestriction(feature: feature) }
    }

    /// Brings `pool.restrictions` up to date with the hosts' licences.
    static func refreshPoolRestrictions(_ tx: inout Transaction, at now: DateTime) throws(XenAPIError) {
        let restrictions = poolRestrictions(in: tx.snapshot, at: now)
        for pool in tx.snapshot.refs(Pool.self) where tx.snapshot[pool]?.restrictions != restrictions {
            try tx.set(pool, \.restrictions, restrictions)
        }
    }
}
