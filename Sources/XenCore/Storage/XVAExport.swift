import Collections
public import XenAPI
import XenAPIModel
import XenDB
import XenRPC
public import XenStorage

/// A VM as an XVA stream (`export.ml`, `stream_vdi.ml`): `ova.xml` first, with the complete
/// records of the VM and what it uses (its VBDs and their disks and SRs, its VIFs and their
/// networks, its metrics, the hosts it names), references rewritten to the file's `Ref:<n>` ids;
/// then each disk of a non-CD drive in 1 MiB chunks with XXH64 members, in the order of their
/// ids as strings; then the end of the tar.
public struct XVAExport: Sendable {
    /// The `ova.xml` member's content.
    public let ovaXML: [UInt8]
    /// The disks, in stream order.
    public let disks: [XVADiskStream]
    /// The uuid of the exported VM.
    public let vmUUID: String
    let mtime: Int64

    /// The bytes of disk the stream covers, for progress.
    public var diskBytes: Int64 { disks.reduce(0) { $0 + $1.virtualSize } }

    /// Prepares the export of `vm` (a halted or suspended VM, a snapshot or a template): a
    /// running or paused one is refused with `VM_BAD_POWER_STATE`, as xapi refuses it. With
    /// `metadataOnly` (`/export_metadata`) the stream is `ova.xml` alone, and any power state will do.
    public init(services: CoreServices, vm: Ref<VM>, metadataOnly: Bool = false) throws(XenAPIError) {
        let snapshot = services.database.snapshot
        let record = try snapshot.require(vm)
        guard metadataOnly || record.powerState == .halted || record.powerState == .suspended else {
            throw XenAPIError.vmBadPowerState(vm: vm.rawValue, expected: "halted", actual: record.powerState.rawValue.lowercased())
        }
        var objects = ObjectList()
        objects.add(VM.className, vm.rawValue)
        var streamed: [String] = []
        for vbd in record.vbds {
            guard let drive = snapshot[vbd] else { continue }
            objects.add(VBD.className, vbd.rawValue)
            guard let disk = snapshot[drive.vdi] else { continue }
            objects.add(VDI.className, drive.vdi.rawValue)
            objects.add(SR.className, disk.sr.rawValue)
            if drive.type != .cd, snapshot[disk.sr]?.contentType != "iso" { streamed.append(drive.vdi.rawValue) }
        }
        for vif in record.vifs where snapshot.contains(vif) {
            objects.add(VIF.className, vif.rawValue)
            if let network = snapshot[vif]?.network, snapshot.contains(network) { objects.add(Network.className, network.rawValue) }
        }
        if snapshot.contains(record.metrics) { objects.add(VMMetrics.className, record.metrics.rawValue) }
        if snapshot.contains(record.guestMetrics) { objects.add(VMGuestMetrics.className, record.guestMetrics.rawValue) }
        for host in [record.residentOn, record.affinity] where snapshot.contains(host) { objects.add(Host.className, host.rawValue) }

        var entries: [RPCValue] = []
        for (className, ref) in objects.order {
            guard let model = snapshot.schema[className]?.model, let stored = snapshot.record(className, ref) else { continue }
            let members = XVAExport.rewrite(stored, of: className, model: model, ids: objects.ids, vm: vm.rawValue)
            entries.append(["class": .string(className), "id": .string(objects.ids[ref]!), "snapshot": .structure(members)])
        }
        let version = XVAExport.version(snapshot)
        ovaXML = OVAXML.encode(["version": version, "objects": .array(entries)])
        var disks: [XVADiskStream] = []
        for ref in (metadataOnly ? [] : streamed).sorted(by: { objects.ids[$0]! < objects.ids[$1]! }) {
            guard let disk = snapshot[Ref<VDI>(ref)] else { continue }
            var chain: VHDChain?
            if let folder = services.vhdFolder(of: disk.sr, in: snapshot) {
                chain = try storageOperation { () throws(VHDError) in try folder.chain(disk.location) }
            }
            disks.append(XVADiskStream(chain: chain, virtualSize: disk.virtualSize, prefix: objects.ids[ref]!))
        }
        self.disks = disks
        vmUUID = record.uuid
        mtime = services.environment.wallClockSeconds()
    }

    /// Writes the whole stream through `emit`, each chunk followed by a `checksum` member;
    /// `progress` gets the fraction of the disks done.
    public func write(
        checksum: XVAChunkChecksum = .xxhash, emit: ([UInt8]) async throws -> Void, progress: (Double) async -> Void = { _ in }
    ) async throws {
        try await emit(TarWriter.member(name: "ova.xml", data: ovaXML, mtime: mtime))
        let total = max(diskBytes, 1)
        var done: Int64 = 0
        for disk in disks {
            try await disk.write(checksum: checksum, emit: emit) { covered in await progress(Double(done + covered) / Double(total)) }
            done += disk.virtualSize
        }
        try await emit(TarWriter.end)
        await progress(1)
    }

    /// The objects of the file in order, each with its `Ref:<n>` id.
    struct ObjectList {
        var order: [(String, String)] = []
        var ids: [String: String] = [:]

        mutating func add(_ className: String, _ ref: String) {
            guard ids[ref] == nil, ref != "OpaqueRef:NULL" else { return }
            ids[ref] = "Ref:\(order.count)"
            order.append((className, ref))
        }
    }

    /// A record as xapi exports it: references to objects in the file become their ids, others
    /// NULL (and leave sets); the VM halted and no longer a snapshot; operations and attachments
    /// cleared.
    static func rewrite(
        _ stored: RPCValue, of className: String, model: ClassModel, ids: [String: String], vm: String
    ) -> OrderedDictionary<String, RPCValue> {
        var members = stored.structureValue ?? [:]
        for field in model.fields {
            guard let value = members[field.name] else { continue }
            switch field.type {
            case .ref:
                members[field.name] = .string(value.stringValue.flatMap { ids[$0] } ?? "OpaqueRef:NULL")
            case .set(.ref):
                members[field.name] = .array((value.arrayValue ?? []).compactMap { $0.stringValue.flatMap { ids[$0] } }.map(RPCValue.string))
            case .map(.ref, _):
                members[field.name] = .structure([:])
            default:
                break
            }
        }
        switch className {
        case VM.className:
            members["power_state"] = "Halted"
            members["suspend_VDI"] = "OpaqueRef:NULL"
            members["is_a_snapshot"] = .bool(false)
            members["snapshot_of"] = "OpaqueRef:NULL"
            members["snapshots"] = .array([])
            members["snapshot_time"] = .dateTime(WireDateTime.epoch)
            members["parent"] = "OpaqueRef:NULL"
            members["current_operations"] = .structure([:])
            members["allowed_operations"] = .array([])
            members["consoles"] = .array([])
            members["domid"] = .int(-1)
        case VBD.className, VIF.className:
            members["currently_attached"] = .bool(false)
            members["current_operations"] = .structure([:])
            members["allowed_operations"] = .array([])
        case VDI.className, SR.className:
            members["current_operations"] = .structure([:])
            members["allowed_operations"] = .array([])
        default:
            break
        }
        return members
    }

    /// The `version` record: this pool's product and xapi version, from the coordinator's
    /// `software_version`, and `export_vsn` 2.
    static func version(_ snapshot: Snapshot) -> RPCValue {
        let master = snapshot.objects(Pool.self).first?.master ?? .null
        let software = snapshot[master]?.softwareVersion ?? [:]
        let xapi = (software["xapi"] ?? "1.20").split(separator: ".").map { Int64($0) ?? 0 }
        // `date` as xapi's build date is written, `2025-06-01`, from the wire form `20250601T…`.
        let stamp = Array(software["date"] ?? "")
        let date = stamp.count >= 8 ? "\(String(stamp[0..<4]))-\(String(stamp[4..<6]))-\(String(stamp[6..<8]))" : ""
        return [
            "hostname": "localhost", "date": .string(date),
            "product_version": .string(software["product_version"] ?? ""), "product_brand": .string(software["product_brand"] ?? ""),
            "build_number": .string(software["build_number"] ?? ""), "xapi_major": .int(xapi.first ?? 1),
            "xapi_minor": .int(xapi.count > 1 ? xapi[1] : 0), "export_vsn": 2,
        ]
    }
}
