import class Foundation.JSONDecoder
import struct Foundation.Data
import XenAPI
import XenBackend
import XenDB

/// `pool.admit_host`, the coordinator's side of `pool.join`: the joining host must match the
/// coordinator (xapi's `pre_join_checks`); its machine is taken into the rack and given its
/// records as a host of the pool's own is, and its toolstack's address and secret are kept so
/// that an eject can tell it.
extension PoolMessages {
    func admitHost(_ context: CallContext, description: [String: String]) async throws -> Ref<Host> {
        let services = self.services
        guard let rack = services.rack else {
            throw XenAPIError.operationNotAllowed(reason: "This pool's machines cannot take in another host's")
        }
        guard let text = description[JoinKey.machine],
            let machine = try? JSONDecoder().decode(MachineDescription.self, from: Data(text.utf8))
        else { throw XenAPIError.invalidValue(field: "description", value: JoinKey.machine) }
        try Self.assertCanAdmit(machine, description, in: services.database.snapshot, at: services.now())
        let contact = description[JoinKey.contact].flatMap { address in
            description[JoinKey.secret].map { ToolstackContact(address: address, secret: $0) }
        }
        let admitted: HostMachine
        do {
            admitted = try await rack.admit(machine, contact: contact)
        } catch {
            throw XenAPIError.internalError(message: "The machine could not be taken in: \(error)")
        }
        services.addMachine(admitted)
        try await PoolBootstrap.run(services)
        // The tools ISO library is plugged on every host, the new one too.
        try await ToolsLibrary.run(services)
        guard let host = services.database.snapshot.ref(Host.self, uuid: machine.inventory.uuid) else {
            throw XenAPIError.internalError(message: "the admitted host has no record")
        }
        return host
    }

    /// The joining host is new to the pool and matches its coordinator.
    private static func assertCanAdmit(
        _ machine: MachineDescription, _ description: [String: String], in snapshot: Snapshot, at now: DateTime
    ) throws(XenAPIError) {
        try assertMembershipMayChange(snapshot)
        if snapshot.ref(Host.self, uuid: machine.inventory.uuid) != nil {
            throw XenAPIError.operationNotAllowed(reason: "A host with uuid \(machine.inventory.uuid) is already in the pool")
        }
        guard let pool = snapshot.objects(Pool.self).first, let master = snapshot[pool.master] else {
            throw XenAPIError.internalError(message: "no coordinator")
        }
        let masterAPI = "\(master.apiVersionMajor).\(master.apiVersionMinor)"
        let hostAPI = description[JoinKey.apiVersion] ?? ""
        if hostAPI != masterAPI {
            throw XenAPIError.poolJoiningHostMustHaveSameAPIVersion(hostAPIVersion: hostAPI, masterAPIVersion: masterAPI)
        }
        let software = { (key: String) in description[JoinKey.software + key] ?? "" }
        let masterValue = { (key: String) in master.softwareVersion[key] ?? "" }
        // xapi's compatibility: the platform, and the brand (or the platform's name without one).
        let brand = { (get: (String) -> String) in get("product_brand").isEmpty ? get("platform_name") : get("product_brand") }
        if software("platform_version") != masterValue("platform_version") || brand(software) != brand(masterValue) {
            throw XenAPIError.hostsNotCompatible()
        }
        for key in ["product_version", "xapi_build", "build_number"] where software(key) != masterValue(key) {
            throw XenAPIError.hostsNotHomogeneous(
                reason: "Software version differs: the joining host runs \(software("product_version")) (xapi "
                    + "\(software("xapi_build"))), the coordinator \(masterValue("product_version")) (xapi \(masterValue("xapi_build")))")
        }
        if description[JoinKey.force] != "true", description[JoinKey.cpuVendor] != master.cpuInfo["vendor"] {
            throw XenAPIError.hostsNotHomogeneous(reason: "CPUs differ")
        }
        if description[JoinKey.edition] != master.edition { throw XenAPIError.licenseHostPoolMismatch() }
        if Licensing.poolRestrictions(in: snapshot, at: now)["restrict_pool_size"] == "true",
            snapshot.count(Host.className) >= Licensing.restrictedPoolSize
        {
            throw XenAPIError.licenceRestriction(feature: "Pool_size")
        }
    }
}
