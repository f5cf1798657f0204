import Collections
public import XenAPI
import XenAPIModel
import XenDB
import XenRPC
public import XenStorage

/// An XVA stream made into a VM (`import.ml`): `ova.xml` first, its objects created class by
/// class in xapi's order (disks, VMs, networks, drives, interfaces) through ordinary calls, then
/// each disk's chunks written into its new VHD. Networks are matched by name, then bridge, else
/// created; MACs and the VM's uuid kept only with `restore`; checksums checked unless `force`.
/// Any failure destroys everything the import made before the error is reported.
public struct XVAImport: Sendable {
    let calls: ImportCalls
    var services: CoreServices { calls.services }

    /// What the caller asked for (`sr_id`, `restore`, `force`, `network_map`).
    public struct Options: Sendable {
        public var sr: String?
        public var restore: Bool
        public var force: Bool
        /// Networks of the file (by uuid, name label or bridge) to put on networks of the pool
        /// (by ref or uuid), ahead of the match by name: what XenCenter's import wizard offers.
        public var networkMap: [String: String]
        /// `/import_metadata`: the file holds `ova.xml` alone; its disks are the pool's disks
        /// with the same uuids (a disk that is not there leaves its drive out).
        public var metadataOnly: Bool

        public init(sr: String?, restore: Bool, force: Bool, networkMap: [String: String] = [:], metadataOnly: Bool = false) {
            self.sr = sr
            self.restore = restore
            self.force = force
            self.networkMap = networkMap
            self.metadataOnly = metadataOnly
        }
    }

    public init(toolstack: Toolstack, session: String) {
        self.calls = ImportCalls(toolstack: toolstack, session: session)
    }

    /// Imports the stream; returns the new VMs' refs.
    public func run(_ reader: ByteStreamReader, options: Options, progress: @escaping (Double) async -> Void) async throws(XenAPIError)
        -> [String]
    {
        var made = CreatedObjects()
        do {
            return try await importing(reader, options: options, made: &made, progress: progress)
        } catch {
            await calls.undo(made.objects)
            throw XVAImport.apiError(error)
        }
    }

    /// What the import has made so far, newest last, for the clean-up.
    struct CreatedObjects {
        var objects: [(String, String)] = []
    }

    /// One object of `ova.xml`.
    struct FileObject {
        var className: String
        var id: String
        var record: OrderedDictionary<String, RPCValue>
    }

    private func importing(
        _ reader: ByteStreamReader, options: Options, made: inout CreatedObjects, progress: @escaping (Double) async -> Void
    ) async throws -> [String] {
        var tar = TarReader(reader)
        guard let first = try await tar.next() else { throw XenAPIError.importErrorPrematureEof() }
        guard first.name == "ova.xml" else { throw XenAPIError.importErrorUnexpectedFile(filenameExpected: "ova.xml", filenameFound: first.name) }
        let text = try await tar.readData()
        let document: RPCValue
        do {
            document = try XMLRPCDecoder.decodeResponse(
                Array("<methodResponse><params><param>".utf8) + text + Array("</param></params></methodResponse>".utf8))
        } catch {
            throw XenAPIError.importError(msg: "ova.xml is not an XML-RPC value: \(error)")
        }
        try checkVersion(document["version"])
        let objects = (document["objects"]?.arrayValue ?? []).compactMap { entry -> FileObject? in
            guard let className = entry["class"]?.stringValue, let id = entry["id"]?.stringValue,
                let record = entry["snapshot"]?.structureValue
            else { return nil }
            return FileObject(className: className, id: id, record: record)
        }
        let byID = Dictionary(objects.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let sr = options.metadataOnly ? "OpaqueRef:NULL" : try calls.targetSR(options.sr)
        var refs: [String: String] = [:]

        // Disks: new ones in the target SR; those of ISO libraries found by location, or left out.
        var streamed: [(id: String, ref: String, size: Int64)] = []
        for object in objects where object.className == VDI.className {
            if options.metadataOnly {
                let uuid = object.record["uuid"]?.stringValue ?? ""
                if let existing = services.database.snapshot.ref(VDI.self, uuid: uuid) { refs[object.id] = existing.rawValue }
                continue
            }
            let fileSR = object.record["SR"]?.stringValue.flatMap { byID[$0] }
            if fileSR?.record["content_type"]?.stringValue == "iso" {
                if let found = isoDisk(location: object.record["location"]?.stringValue ?? "") { refs[object.id] = found }
                continue
            }
            let size = Self.integer(object.record["virtual_size"]) ?? 0
            let record = constructorRecord(VDI.className, from: object.record, refs: refs, overrides: ["SR": .string(sr), "virtual_size": .int(size)])
            let ref = try await calls.call("VDI.create", record).stringValue ?? ""
            made.objects.append((VDI.className, ref))
            refs[object.id] = ref
            streamed.append((object.id, ref, size))
        }
        // VMs: a default template maps to ours of that name; others are made anew.
        var vms: [String] = []
        for object in objects where object.className == VM.className {
            if object.record["is_default_template"] == .bool(true)
                || object.record["other_config"]?["default_template"]?.stringValue == "true"
            {
                let name = object.record["name_label"]?.stringValue ?? ""
                let snapshot = services.database.snapshot
                guard let template = snapshot.objects(VM.self).first(where: { $0.isDefaultTemplate && $0.nameLabel == name }) else {
                    throw XenAPIError.importErrorFailedToFindObject(id: object.id)
                }
                refs[object.id] = template.ref.rawValue
                continue
            }
            let ref = try await createVM(object, refs: refs, options: options, made: &made)
            refs[object.id] = ref
            vms.append(ref)
        }
        // Networks: by name, then bridge, else made from the record.
        for object in objects where object.className == "network" {
            refs[object.id] = try await network(for: object, map: options.networkMap, made: &made)
        }
        for object in objects where object.className == VBD.className {
            guard let vm = object.record["VM"]?.stringValue.flatMap({ refs[$0] }), vms.contains(vm) else { continue }
            let disk = object.record["VDI"]?.stringValue.flatMap { refs[$0] }
            let type = object.record["type"]?.stringValue?.lowercased() == "cd" ? "CD" : "Disk"
            if disk == nil, type == "Disk" { continue }
            let record = constructorRecord(
                VBD.className, from: object.record, refs: refs,
                overrides: [
                    "VM": .string(vm), "VDI": .string(disk ?? "OpaqueRef:NULL"), "empty": .bool(disk == nil), "type": .string(type),
                    "userdevice": .string(Self.text(object.record["userdevice"]) ?? "0"),
                ])
            try await calls.call("VBD.create", record)
        }
        for object in objects where object.className == VIF.className {
            guard let vm = object.record["VM"]?.stringValue.flatMap({ refs[$0] }), vms.contains(vm) else { continue }
            let networkID = object.record["network"]?.stringValue ?? ""
            guard let network = refs[networkID] else { throw XenAPIError.importErrorFailedToFindObject(id: networkID) }
            let record = constructorRecord(
                VIF.className, from: object.record, refs: refs,
                overrides: [
                    "VM": .string(vm), "network": .string(network),
                    "MAC": .string(options.restore ? (object.record["MAC"]?.stringValue ?? "") : ""),
                    "device": .string(Self.text(object.record["device"]) ?? "0"),
                ])
            try await calls.call("VIF.create", record)
        }
        // The disks' data, in the order of their ids as strings.
        let total = max(1, streamed.reduce(0) { $0 + $1.size })
        var done: Int64 = 0
        for disk in streamed.sorted(by: { $0.id < $1.id }) {
            let snapshot = services.database.snapshot
            guard let record = snapshot[Ref<VDI>(disk.ref)], let folder = services.vhdFolder(of: record.sr, in: snapshot) else {
                throw XenAPIError.importError(msg: "no file for the disk \(disk.id)")
            }
            let writer = try VHDWriter.open(path: folder.file(record.location))
            do {
                try await XVADiskReceiver.receive(
                    from: &tar, prefix: disk.id, virtualSize: disk.size, into: writer, force: options.force
                ) { covered in await progress(Double(done + covered) / Double(total)) }
                try writer.close()
            } catch {
                try? writer.close()
                throw error
            }
            done += disk.size
            try await recordSize(of: Ref<VDI>(disk.ref), folder: folder)
        }
        await progress(1)
        return vms
    }

    /// A VM from its record: a new uuid and `mac_seed` unless restoring, halted, no longer a
    /// snapshot or default template.
    private func createVM(_ object: FileObject, refs: [String: String], options: Options, made: inout CreatedObjects) async throws -> String {
        let uuid = object.record["uuid"]?.stringValue ?? ""
        var otherConfig = object.record["other_config"]?.structureValue ?? [:]
        otherConfig["grant_api_access"] = nil
        if options.restore {
            let seed = otherConfig["mac_seed"]?.stringValue
            let snapshot = services.database.snapshot
            if let existing = snapshot.ref(VM.self, uuid: uuid), let current = snapshot[existing] {
                let version = Self.integer(object.record["version"]) ?? 0
                guard options.force || (current.powerState == .halted && current.version < version) else {
                    if current.powerState != .halted {
                        throw XenAPIError.vmBadPowerState(vm: existing.rawValue, expected: "halted", actual: current.powerState.rawValue.lowercased())
                    }
                    throw XenAPIError.vmToImportIsNotNewerVersion(
                        vm: existing.rawValue, existingVersion: String(current.version), versionToImport: String(version))
                }
                try await calls.call("VM.destroy", .string(existing.rawValue))
            }
            if let seed, services.database.snapshot.objects(VM.self).contains(where: { $0.otherConfig["mac_seed"] == seed }) {
                throw XenAPIError.duplicateMACSeed(seed: seed)
            }
        } else {
            otherConfig["mac_seed"] = nil
        }
        let record = constructorRecord(
            VM.className, from: object.record, refs: refs,
            overrides: [
                "power_state": "Halted", "is_default_template": .bool(false), "other_config": .structure(otherConfig),
                "suspend_VDI": "OpaqueRef:NULL", "is_a_snapshot": .bool(false), "snapshot_of": "OpaqueRef:NULL",
            ])
        let ref = try await calls.call("VM.create", record).stringValue ?? ""
        made.objects.append((VM.className, ref))
        if options.restore, !uuid.isEmpty {
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                try tx.set(Ref<VM>(ref), \.uuid, uuid)
            }
        }
        return ref
    }

    /// The network `map` names for the file's network, else the pool's network with the record's
    /// name, else its bridge, else a new one from the record.
    private func network(for object: FileObject, map: [String: String], made: inout CreatedObjects) async throws -> String {
        let snapshot = services.database.snapshot
        let name = object.record["name_label"]?.stringValue ?? ""
        let bridge = object.record["bridge"]?.stringValue ?? ""
        let uuid = object.record["uuid"]?.stringValue ?? ""
        if let target = [uuid, name, bridge].lazy.filter({ !$0.isEmpty }).compactMap({ map[$0] }).first {
            if snapshot.contains(Ref<Network>(target)) { return target }
            guard let ref = snapshot.ref(Network.self, uuid: target) else {
                throw XenAPIError.uuidInvalid(className: Network.className, uuid: target)
            }
            return ref.rawValue
        }
        let networks = snapshot.objects(Network.self)
        if let match = networks.first(where: { $0.nameLabel == name }) ?? networks.first(where: { !bridge.isEmpty && $0.bridge == bridge }) {
            return match.ref.rawValue
        }
        let record = constructorRecord("network", from: object.record, refs: [:], overrides: ["bridge": ""])
        let ref = try await calls.call("network.create", record).stringValue ?? ""
        made.objects.append(("network", ref))
        return ref
    }

    /// The record `<class>.create` takes, from a file's record: each constructor field the file
    /// has, read liberally (ints as text, enums in any case), references through `refs` (others
    /// NULL), the rest defaulted; then `overrides`.
    private func constructorRecord(
        _ className: String, from record: OrderedDictionary<String, RPCValue>, refs: [String: String],
        overrides: [String: RPCValue]
    ) -> RPCValue {
        guard let model = DataModel.current.class(named: className) else { return .structure([:]) }
        var members = OrderedDictionary<String, RPCValue>()
        for field in model.fields where field.qualifier != .dynamicReadOnly {
            if let value = overrides[field.name] {
                members[field.name] = value
            } else if let value = record[field.name], let coerced = Self.coerce(value, to: field.type, refs: refs) {
                members[field.name] = coerced
            } else {
                members[field.name] = ValueCoercion.initialValue(for: field)
            }
        }
        return .structure(members)
    }

    /// A file's value as the field's type wants it, or `nil` when it cannot be one.
    static func coerce(_ value: RPCValue, to type: FieldType, refs: [String: String]) -> RPCValue? {
        switch type {
        case .string: return text(value).map(RPCValue.string)
        case .int: return integer(value).map(RPCValue.int)
        case .float:
            if case .double = value { return value }
            return text(value).flatMap(Double.init).map(RPCValue.double)
        case .bool:
            if case .bool = value { return value }
            return text(value).map { .bool($0 == "1" || $0.lowercased() == "true") }
        case .datetime:
            if case .dateTime = value { return value }
            return text(value).map(RPCValue.dateTime)
        case .enumeration(let name):
            guard let given = text(value),
                let canonical = DataModel.current.enumeration(named: name)?.values.first(where: { $0.lowercased() == given.lowercased() })
            else { return nil }
            return .string(canonical)
        case .ref:
            return .string(value.stringValue.flatMap { refs[$0] } ?? "OpaqueRef:NULL")
        case .set(let element):
            guard let elements = value.arrayValue else { return nil }
            if case .ref = element { return .array(elements.compactMap { $0.stringValue.flatMap { refs[$0] } }.map(RPCValue.string)) }
            return .array(elements.compactMap { coerce($0, to: element, refs: refs) })
        case .map(.string, .string):
            guard let members = value.structureValue else { return nil }
            return .structure(OrderedDictionary(uniqueKeysWithValues: members.compactMap { key, value in text(value).map { (key, RPCValue.string($0)) } }))
        case .map, .record:
            return nil
        }
    }

    static func text(_ value: RPCValue?) -> String? {
        switch value {
        case .string(let text)?: text
        case .int(let number)?: String(number)
        case .int32(let number)?: String(number)
        case .bool(let flag)?: flag ? "true" : "false"
        case .double(let number)?: String(number)
        default: nil
        }
    }

    static func integer(_ value: RPCValue?) -> Int64? {
        switch value {
        case .int(let number)?: number
        case .int32(let number)?: Int64(number)
        case .string(let text)?: Int64(text)
        default: nil
        }
    }

    /// Refuses a file made by a newer xapi than ours (`IMPORT_INCOMPATIBLE_VERSION`).
    private func checkVersion(_ version: RPCValue?) throws(XenAPIError) {
        let snapshot = services.database.snapshot
        let master = snapshot.objects(Pool.self).first?.master ?? .null
        let ours = (snapshot[master]?.softwareVersion["xapi"] ?? "1.20").split(separator: ".").map { Int64($0) ?? 0 }
        let major = Self.integer(version?["xapi_major"]) ?? 0
        let minor = Self.integer(version?["xapi_minor"]) ?? 0
        if (major, minor) > (ours.first ?? 0, ours.count > 1 ? ours[1] : 0) { throw XenAPIError.importIncompatibleVersion() }
    }

    /// A disk of an ISO library with this location.
    private func isoDisk(location: String) -> String? {
        let snapshot = services.database.snapshot
        return snapshot.objects(VDI.self).first { disk in
            disk.location == location && snapshot[disk.sr]?.contentType == "iso"
        }?.ref.rawValue
    }

    /// Records a written disk's size and its SR's space.
    private func recordSize(of disk: Ref<VDI>, folder: VHDFolder) async throws(XenAPIError) {
        let snapshot = services.database.snapshot
        let record = try snapshot.require(disk)
        let facts = try storageOperation { () throws(VHDError) in try folder.facts(record.location) }
        let space = SRSpace.measure(record.sr, services: services, snapshot: snapshot)
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            if tx.snapshot.contains(disk) { try tx.set(disk, \.physicalUtilisation, facts.physicalSize) }
            try space?.record(in: &tx)
        }
    }

    /// The error a failed import reports, in xapi's codes.
    static func apiError(_ error: any Error) -> XenAPIError {
        switch error {
        case let error as XenAPIError: return error
        case XVAStreamError.prematureEnd, VHDError.truncated: return .importErrorPrematureEof()
        case XVAStreamError.unexpectedMember(let expected, let actual):
            return .importErrorUnexpectedFile(filenameExpected: expected, filenameFound: actual)
        case XVAStreamError.checksumFailed(let block, let original, let recomputed):
            return .importError(msg: "Block \(block) checksum failed: original = \(original); recomputed = \(recomputed)")
        case let error as VHDError: return .importError(msg: "\(error)")
        default: return .importError(msg: "\(error)")
        }
    }
}
