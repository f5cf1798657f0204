import XenAPI
import XenDB

/// `host.*` custom messages.
struct HostMessages: HostActions {
    let services: CoreServices

    /// Where a disable that must survive a toolstack restart is remembered.
    static let autoEnableKey = "host_auto_enable"

    /// A host disabled with `auto_enable` comes back enabled when its toolstack starts.
    static func enableAfterRestart(_ services: CoreServices) async throws(XenAPIError) {
        let host = services.localHost(services.database.snapshot)
        guard let record = services.database.snapshot[host], !record.enabled,
            record.otherConfig[autoEnableKey] != "false"
        else { return }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in try tx.set(host, \.enabled, true) }
    }

    func disable(_ context: CallContext, host: Ref<Host>, autoEnable: Bool) async throws {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.update(host) { host in
                host.enabled = false
                host.otherConfig[Self.autoEnableKey] = autoEnable ? nil : "false"
            }
        }
    }

    func enable(_ context: CallContext, host: Ref<Host>) async throws {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.update(host) { host in
                host.enabled = true
                host.otherConfig[Self.autoEnableKey] = nil
            }
        }
    }

    func getServertime(_ context: CallContext, host: Ref<Host>) async throws -> DateTime {
        _ = try services.database.snapshot.require(host)
        return services.now()
    }

    func computeFreeMemory(_ context: CallContext, host: Ref<Host>) async throws -> Int64 {
        _ = try services.database.snapshot.require(host)
        return try await services.hostFacts().freeMemory
    }
}
