import class Foundation.JSONDecoder
import class Foundation.JSONEncoder
import struct Foundation.Data
import XenAPI
import XenAPIModel
import XenBackend
import XenDB

/// `pool.join` on the joining host and `pool.admit_host` on the coordinator (xapi's
/// `join_common` and `pre_join_checks`). The joining host checks itself, then asks the
/// coordinator to admit its machine; the coordinator checks that the host matches it (API
/// version, software, CPUs, edition), runs the machine from then on and gives it its records as
/// it gives a host of its own; the joining host's toolstack becomes a member that answers every
/// call with `HOST_IS_SLAVE`. A simulated host's own VMs and disks do not move with it: the join
/// is refused while it has any.
extension PoolMessages {
    func join(_ context: CallContext, masterAddress: String, masterUsername: String, masterPassword: String) async throws {
        try await Self.join(services, coordinator: masterAddress, username: masterUsername, password: masterPassword, force: false)
    }

    func joinForce(_ context: CallContext, masterAddress: String, masterUsername: String, masterPassword: String) async throws {
        try await Self.join(services, coordinator: masterAddress, username: masterUsername, password: masterPassword, force: true)
    }

    /// Keys of the description a joining host sends.
    enum JoinKey {
        static let machine = "machine", contact = "contact", secret = "secret", apiVersion = "api_version"
        static let edition = "edition", cpuVendor = "cpu_vendor", force = "force", software = "software_version:"
    }

    private static func join(
        _ services: CoreServices, coordinator: String, username: String, password: String, force: Bool
    ) async throws(XenAPIError) {
        guard let rack = services.rack, let peers = services.peers else {
            throw XenAPIError.operationNotAllowed(reason: "This host's machine cannot move to another pool")
        }
        let snapshot = services.database.snapshot
        try assertCanJoin(snapshot)
        guard let host = snapshot[services.localHost(snapshot)] else { throw XenAPIError.internalError(message: "no coordinator") }
        let machine: MachineDescription
        do {
            machine = try await rack.describe(host.uuid)
        } catch {
            throw XenAPIError.internalError(message: "The machine could not be described: \(error)")
        }
        guard let encoded = try? JSONEncoder().encode(machine) else {
            throw XenAPIError.internalError(message: "The machine's description could not be encoded")
        }
        let secret = services.environment.randomBytes(16).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        var description = [
            JoinKey.machine: String(decoding: encoded, as: UTF8.self),
            JoinKey.contact: peers.ownAddress, JoinKey.secret: secret,
            JoinKey.apiVersion: "\(host.apiVersionMajor).\(host.apiVersionMinor)", JoinKey.edition: host.edition,
            JoinKey.cpuVendor: host.cpuInfo["vendor"] ?? "", JoinKey.force: force ? "true" : "false",
        ]
        for (key, value) in host.softwareVersion { description[JoinKey.software + key] = value }
        // The role first: a crash after the coordinator admits the machine must not leave this
        // toolstack running it as a pool of its own.
        try services.role.become(ToolstackContact(address: coordinator, secret: secret))
        do {
            _ = try await peers.admit(at: coordinator, username: username, password: password, description: description)
        } catch {
            try? services.role.leave()
            throw error
        }
    }

    /// xapi's checks of the joining host itself.
    private static func assertCanJoin(_ snapshot: Snapshot) throws(XenAPIError) {
        guard let pool = snapshot.objects(Pool.self).first else { throw XenAPIError.internalError(message: "no pool") }
        if pool.haEnabled { throw XenAPIError.haIsEnabled() }
        if snapshot.count(Host.className) > 1 { throw XenAPIError.joiningHostCannotBeMasterOfOtherHosts() }
        let vms = snapshot.objects(VM.self).filter { !$0.isControlDomain }
        if vms.contains(where: { $0.powerState != .halted }) { throw XenAPIError.joiningHostCannotHaveRunningOrSuspendedVms() }
        if vms.contains(where: { !$0.currentOperations.isEmpty }) { throw XenAPIError.joiningHostCannotHaveVmsWithCurrentOperations() }
        if snapshot.objects(SR.self).contains(where: { $0.shared && !$0.isToolsSR && $0.contentType != "iso" }) {
            throw XenAPIError.joiningHostCannotContainSharedSrs()
        }
        let management = Set(snapshot.objects(PIF.self).filter(\.management).map(\.ref))
        if snapshot.objects(VLAN.self).contains(where: { !management.contains($0.untaggedPIF) }) {
            throw XenAPIError.poolJoiningHostHasNonManagementVlans()
        }
        let own = vms.filter { !$0.isDefaultTemplate }
        let disks = snapshot.objects(VDI.self).filter { disk in
            disk.managed && snapshot[disk.sr].map { $0.contentType != "iso" && !$0.isToolsSR } == true
        }
        if !own.isEmpty || !disks.isEmpty {
            throw XenAPIError.operationNotAllowed(
                reason: "The joining host has \(own.count) VMs or custom templates and \(disks.count) disks of its own; "
                    + "export and remove them first (a simulated host's VMs and local disks do not move to another pool)")
        }
    }
}

/// `pool.member_ejected`, the one call a member's toolstack takes: its coordinator ejected it,
/// so it starts again as a pool of its own.
extension PoolMessages {
    func memberEjected(_ context: CallContext, secret: String) async throws {
        guard let member = services.role.member else {
            throw XenAPIError.operationNotAllowed(reason: "This host is not a member of another pool")
        }
        guard secret == member.secret else {
            throw XenAPIError.operationNotAllowed(reason: "The secret is not the one this host gave when it joined")
        }
        services.role.ejected()
    }
}
