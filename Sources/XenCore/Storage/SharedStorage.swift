import XenAPI
import XenDB

/// The storage a pool of several hosts shares, as a XenServer pool has its NFS SR: a simulated
/// pool made with more than one host gets "Shared storage" (a `file` SR in the data folder,
/// which every simulated host reaches) as its default and suspend image SR, so its VMs can
/// start anywhere and move between hosts; a VM whose disks are on one host's "Local storage"
/// stays on that host (`Placement.assertReaches`). A host that joins later is connected to every
/// shared SR the pool has, as xapi connects a joining host.
enum SharedStorage {
    /// Where the shared SR's files are, under the storage root.
    static func folder(_ services: CoreServices) -> String { services.storageRoot + "/shared" }

    /// The pool's other-config key saying the shared SR is still to be made: set with a pool
    /// made of several hosts, cleared in the write that makes the SR the pool's default.
    static let pendingKey = "swift-xapi-shared-storage-pending"

    /// Makes the shared SR on the coordinator, plugged on every host (or takes the one an
    /// interrupted start made), and makes it the pool's default, suspend image and crash dump SR.
    static func make(_ services: CoreServices) async throws(XenAPIError) {
        let snapshot = services.database.snapshot
        guard let pool = snapshot.objects(Pool.self).first else { return }
        let location = folder(services)
        let made = snapshot.objects(SR.self).first { sr in
            sr.shared && sr.pbds.contains { snapshot[$0]?.deviceConfig["location"] == location }
        }?.ref
        let sr: Ref<SR>
        if let made {
            sr = made
        } else {
            let context = CallContext(session: .null, task: nil, method: "bootstrap", origin: .localSocket)
            do {
                sr = try await SRMessages(services: services).create(
                    context, host: pool.master, deviceConfig: ["location": location], physicalSize: 0,
                    nameLabel: "Shared storage", nameDescription: "Storage every host of the pool reaches", type: "file",
                    contentType: "user", shared: true, smConfig: [:])
            } catch let error as XenAPIError {
                throw error
            } catch {
                throw XenAPIError.internalError(message: "\(error)")
            }
        }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.update(pool.ref) { record in
                record.defaultSR = sr
                record.suspendImageSR = sr
                record.crashDumpSR = sr
                record.otherConfig[pendingKey] = nil
            }
        }
    }

    /// Connects `host` to every shared SR of the pool it lacks a connection to (the tools ISO
    /// library looks after itself), each connection a copy of an existing one's configuration.
    static func connect(_ host: Ref<Host>, _ services: CoreServices) async throws(XenAPIError) {
        let snapshot = services.database.snapshot
        var made: [(pbd: Ref<PBD>, sr: Ref<SR>, uuid: String, config: [String: String])] = []
        for sr in snapshot.objects(SR.self) where sr.shared && !sr.isToolsSR {
            let connections = sr.pbds.compactMap { snapshot[$0] }
            guard let model = connections.first, !connections.contains(where: { $0.host == host }) else { continue }
            made.append((services.makeRef(PBD.self), sr.ref, services.environment.makeUUID(), model.deviceConfig))
        }
        guard !made.isEmpty else { return }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for connection in made where tx.snapshot.contains(connection.sr) {
                try tx.insert(connection.pbd) { record in
                    record.uuid = connection.uuid
                    record.host = host
                    record.sr = connection.sr
                    record.deviceConfig = connection.config
                }
            }
        }
        // A connection that cannot be plugged stays unplugged, as xapi leaves one; the host comes up.
        for connection in made { try? await PBDMessages(services: services).plug(connection.pbd) }
    }
}
