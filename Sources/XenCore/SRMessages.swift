import XenAPI
import XenDB
import XenStorage

/// `SR.*` custom messages: making SRs on storage (a host's folder, any folder, an NFS or SMB
/// share, an ISO library), introducing and forgetting them, destroying them, scanning them and
/// refreshing their sizes.
struct SRMessages: SRActions {
    let services: CoreServices

    func create(
        _ context: CallContext, host: Ref<Host>, deviceConfig: [String: String], physicalSize: Int64, nameLabel: String,
        nameDescription: String, type: String, contentType: String, shared: Bool, smConfig: [String: String]
    ) async throws -> Ref<SR> {
        let services = self.services
        guard SRKind(type: type) != nil else { throw XenAPIError.srUnknownDriver(driver: type) }
        let snapshot = services.database.snapshot
        let owner = try snapshot.require(host)
        guard snapshot[owner.metrics]?.live == true else { throw XenAPIError.hostOffline(host: host.rawValue) }
        if type == "file", deviceConfig["location"]?.hasPrefix("/") != true {
            throw XenAPIError.storageBackend(84, "device-config:location must be an absolute folder")
        }
        if type == "nfs", deviceConfig["server"] == nil || deviceConfig["serverpath"] == nil {
            throw XenAPIError.storageBackend(70, "device-config:server and serverpath are required")
        }
        if type == "iso", deviceConfig["location"] == nil { throw XenAPIError.storageBackend(84, "device-config:location is required") }
        let place = ["location", "server", "serverpath"].compactMap { deviceConfig[$0] }
        if !place.isEmpty, snapshot.objects(PBD.self).contains(where: { pbd in
            ["location", "server", "serverpath"].compactMap { pbd.deviceConfig[$0] } == place
        }) {
            throw XenAPIError.srDeviceInUse()
        }
        // A shared SR is connected on every host, a local one on its host only.
        let hosts = shared ? snapshot.refs(Host.self) : [host]
        let sr = services.makeRef(SR.self)
        let uuid = services.environment.makeUUID()
        let pbds = hosts.map { ($0, services.makeRef(PBD.self), services.environment.makeUUID()) }
        let kind = contentType.isEmpty ? (type == "iso" ? "iso" : "user") : contentType
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.insert(sr) { record in
                record.uuid = uuid
                record.nameLabel = nameLabel
                record.nameDescription = nameDescription
                record.type = type
                record.contentType = kind
                record.shared = shared
                record.smConfig = smConfig
                if let share = SRAttachment.share(type: type, config: deviceConfig), type == "iso" {
                    record.smConfig["iso_type"] = share.kind == .nfs ? "nfs_iso" : "cifs"
                }
            }
            for (host, pbd, pbdUUID) in pbds {
                try tx.insert(pbd) { record in
                    record.uuid = pbdUUID
                    record.host = host
                    record.sr = sr
                    record.deviceConfig = deviceConfig
                }
            }
        }
        // Connect every host; if one cannot, the SR is not made.
        do {
            for (_, pbd, _) in pbds { try await PBDMessages(services: services).plug(pbd) }
            try await SRScan.run(sr, services: services)
        } catch {
            let after = services.database.snapshot
            if let record = after[sr] {
                for pbd in record.pbds { SRAttachment.detach(record, services: services, snapshot: after, except: pbd) }
            }
            try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                for (_, pbd, _) in pbds where tx.snapshot.contains(pbd) { try tx.delete(pbd) }
                for vdi in tx.snapshot[sr]?.vdis ?? [] where tx.snapshot.contains(vdi) { try tx.delete(vdi) }
                if tx.snapshot.contains(sr) { try tx.delete(sr) }
            }
            throw error
        }
        return sr
    }

    func introduce(
        _ context: CallContext, uuid: String, nameLabel: String, nameDescription: String, type: String, contentType: String,
        shared: Bool, smConfig: [String: String]
    ) async throws -> Ref<SR> {
        guard SRKind(type: type) != nil else { throw XenAPIError.srUnknownDriver(driver: type) }
        let services = self.services
        let sr = services.makeRef(SR.self)
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            if tx.snapshot.ref(SR.self, uuid: uuid) != nil {
                throw XenAPIError.uuidInvalid(className: SR.className, uuid: uuid)
            }
            try tx.insert(sr) { record in
                record.uuid = uuid.isEmpty ? services.environment.makeUUID() : uuid
                record.nameLabel = nameLabel
                record.nameDescription = nameDescription
                record.type = type
                record.contentType = contentType
                record.shared = shared
                record.smConfig = smConfig
            }
        }
        return sr
    }

    func forget(_ context: CallContext, sr: Ref<SR>) async throws {
        try await remove(sr, deletingFiles: false)
    }

    func destroy(_ context: CallContext, sr: Ref<SR>) async throws {
        try await remove(sr, deletingFiles: true)
    }

    /// `SR_HAS_PBD` while a host is connected; `destroy` also deletes a local or `file` SR's
    /// disks (an ISO library's images are never deleted), refusing a share that still has disks.
    private func remove(_ sr: Ref<SR>, deletingFiles: Bool) async throws(XenAPIError) {
        let services = self.services
        let snapshot = services.database.snapshot
        let record = try snapshot.require(sr)
        if record.pbds.contains(where: { snapshot[$0]?.currentlyAttached == true }) {
            throw XenAPIError.srHasPBD(sr: sr.rawValue)
        }
        if deletingFiles, SRKind(type: record.type) == .vhdFolder {
            if record.type != "ext", record.vdis.contains(where: { snapshot[$0]?.managed == true }) {
                throw XenAPIError.srNotEmpty()
            }
            if record.type == "ext", let path = services.srFolder(of: sr, in: snapshot) {
                try storageOperation { () throws(VHDError) in try VHDFolder(path: path).removeAll() }
            }
        }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let current = try tx.snapshot.require(sr)
            for vdi in current.vdis {
                guard let disk = tx.snapshot[vdi] else { continue }
                for vbd in disk.vbds where tx.snapshot.contains(vbd) { try tx.delete(vbd) }
                try tx.delete(vdi)
            }
            for pbd in current.pbds where tx.snapshot.contains(pbd) { try tx.delete(pbd) }
            try tx.delete(sr)
        }
    }

    func scan(_ context: CallContext, sr: Ref<SR>) async throws {
        try await SRScan.run(sr, services: services)
        GarbageCollection.kick(sr, services: services)
    }

    func update(_ context: CallContext, sr: Ref<SR>) async throws {
        let services = self.services
        let snapshot = services.database.snapshot
        _ = try services.storageHost(of: sr, in: snapshot)
        guard let space = SRSpace.measure(sr, services: services, snapshot: snapshot) else { return }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in try space.record(in: &tx) }
    }

    func getSupportedTypes(_ context: CallContext) async throws -> [String] { SRKind.supportedTypes }
}
