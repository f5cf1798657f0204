import XenAPI
import XenDB

/// `host.apply_edition`: the host gets the edition's licence (its `edition`, `license_params`
/// with an expiry) and the pool's restrictions follow.
extension HostMessages {
    func applyEdition(_ context: CallContext, host: Ref<Host>, edition: String, force: Bool) async throws {
        try await Self.apply(edition, to: [host], services)
    }

    static func apply(_ name: String, to hosts: [Ref<Host>], _ services: CoreServices) async throws(XenAPIError) {
        guard let edition = Licensing.edition(named: name) else { throw XenAPIError.invalidEdition(edition: name) }
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            if edition.restricted.contains("restrict_pool_size"), tx.snapshot.count(Host.className) > Licensing.restrictedPoolSize {
                throw XenAPIError.licenceRestriction(feature: "Pool_size")
            }
            for host in hosts {
                _ = try tx.snapshot.require(host)
                try tx.update(host) { host in
                    host.edition = edition.name
                    host.licenseParams = Licensing.licenseParams(edition, appliedAt: now)
                }
            }
            try Licensing.refreshPoolRestrictions(&tx, at: now)
        }
    }
}

/// `pool.*` custom messages: editions for the whole pool, and the Premium features it gates.
struct PoolMessages: PoolActions {
    let services: CoreServices

    func applyEdition(_ context: CallContext, object pool: Ref<Pool>, edition: String) async throws {
        _ = try services.database.snapshot.require(pool)
        try await HostMessages.apply(edition, to: services.database.snapshot.refs(Host.self), services)
    }

    /// xapi's answer: the lowest edition of the pool's hosts (by the order of `Licensing.editions`
    /// from the top) and the earliest expiry.
    func getLicenseState(_ context: CallContext, object pool: Ref<Pool>) async throws -> [String: String] {
        let snapshot = services.database.snapshot
        _ = try snapshot.require(pool)
        let hosts = snapshot.objects(Host.self)
        let rank = { (name: String) in Licensing.editions.firstIndex { $0.name == name } ?? Licensing.editions.count }
        let edition = hosts.map(\.edition).max { rank($0) < rank($1) } ?? ""
        let expiry = hosts.compactMap { $0.licenseParams["expiry"] }.compactMap { DateTime(wire: $0) }.min()
        return ["edition": edition, "expiry": expiry?.wireText ?? "never"]
    }

    func setWLBEnabled(_ context: CallContext, object pool: Ref<Pool>, value: Bool) async throws {
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let record = try tx.snapshot.require(pool)
            try Licensing.assertEnabled("restrict_wlb", feature: "WLB", in: tx.snapshot, at: now)
            if value, record.wlbUrl.isEmpty { throw XenAPIError.wlbNotInitialized() }
            try tx.set(pool, \.wlbEnabled, value)
        }
    }

    func setIgmpSnoopingEnabled(_ context: CallContext, object pool: Ref<Pool>, value: Bool) async throws {
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            _ = try tx.snapshot.require(pool)
            try Licensing.assertEnabled("restrict_igmp_snooping", feature: "IGMP_snooping", in: tx.snapshot, at: now)
            try tx.set(pool, \.igmpSnoopingEnabled, value)
        }
    }
}
