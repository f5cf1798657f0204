import XenAPI
import XenDB

/// `host.*` custom messages.
struct HostMessages: HostActions {
    let services: CoreServices

    /// Where a disable that must survive a toolstack restart is remembered.
    static let autoEnableKey = "host_auto_enable"

    /// Hosts disabled with `auto_enable` come back enabled when their toolstack starts.
    static func enableAfterRestart(_ services: CoreServices, hosts: [Ref<Host>]) async throws(XenAPIError) {
        let snapshot = services.database.snapshot
        let waking = hosts.filter { host in
            guard let record = snapshot[host] else { return false }
            return !record.enabled && record.otherConfig[autoEnableKey] != "false" && snapshot[record.metrics]?.live == true
                && !PendingGuidance.keepsHostDisabled(host, in: snapshot)
        }
        guard !waking.isEmpty else { return }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for host in waking { try tx.set(host, \.enabled, true) }
        }
    }

    /// The hosts of this toolstack's machines.
    static func machineHosts(_ services: CoreServices) -> [Ref<Host>] {
        let snapshot = services.database.snapshot
        return services.machines.compactMap { snapshot.ref(Host.self, uuid: $0.inventory.uuid) }
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

    /// What a restart of the host's toolstack does that can be seen: its VMs reconciled with
    /// what its hypervisor runs, and the host enabled again unless it was disabled for good.
    func restartAgent(_ context: CallContext, host: Ref<Host>) async throws {
        _ = try services.hypervisor(of: host, in: services.database.snapshot)
        try await PendingGuidance.toolstackStarted(services, hosts: [host])
        try await Self.enableAfterRestart(services, hosts: [host])
        try await Reconciliation.run(services, residentOn: host)
    }

    func getServertime(_ context: CallContext, host: Ref<Host>) async throws -> DateTime {
        _ = try services.database.snapshot.require(host)
        return services.now()
    }

    func computeFreeMemory(_ context: CallContext, host: Ref<Host>) async throws -> Int64 {
        _ = try services.database.snapshot.require(host)
        return try await services.hostFacts(of: host).freeMemory
    }
}
