import XenAPI
import XenDB
public import XenRPC
public import XenStorage

/// The disk transfers behind `GET /export_raw_vdi` and `PUT /import_raw_vdi`, for the HTTP
/// layer: who may call, which disk, the task that reports progress and outcome, and the files.
/// An import goes into a new leaf over the disk's content (SM's double snapshot), so a
/// malformed or truncated upload is undone and leaves the disk as it was.
public struct DiskTransfer: Sendable {
    let services: CoreServices

    public init(toolstack: Toolstack) { services = toolstack.services }

    /// The caller's session: `session_id`, else a session made from basic-auth credentials (and
    /// closed again by `finish`). `SESSION_INVALID` or `SESSION_AUTHENTICATION_FAILED` otherwise.
    public func authorize(sessionID: String?, user: String?, password: String?, toolstack: Toolstack) async throws(XenAPIError) -> Authorization {
        if let sessionID {
            guard services.database.snapshot[Ref<Session>(sessionID)] != nil else { throw XenAPIError.sessionInvalid(sessionRef: sessionID) }
            return Authorization(session: sessionID, temporary: false)
        }
        guard let user, let password else { throw XenAPIError.sessionAuthenticationFailed(uname: "", message: "no session_id and no credentials") }
        switch await toolstack.call(method: "session.login_with_password", params: [.string(user), .string(password)], origin: .network) {
        case .success(let value): return Authorization(session: value.stringValue ?? "", temporary: true)
        case .failure(let description): throw XenAPIError(errorDescription: description)
        case .bare: throw XenAPIError.internalError(message: "login answered without a status")
        }
    }

    /// A session the transfer runs under.
    public struct Authorization: Sendable {
        public var session: String
        /// Made from basic-auth credentials for this transfer alone.
        public var temporary: Bool
    }

    /// The task given by `task_id`, else a new one.
    public func task(adopting taskID: String?, label: String) async throws(XenAPIError) -> String {
        if let taskID, services.database.snapshot.contains(Ref<Task>(taskID)) { return taskID }
        return try await TaskLifecycle.create(services, label: label, description: "").rawValue
    }

    /// Records the task's progress (0 to 1).
    public func progress(_ task: String, _ fraction: Double) async {
        try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            if tx.snapshot.contains(Ref<Task>(task)) { try tx.set(Ref<Task>(task), \.progress, min(1, max(0, fraction))) }
        }
    }

    /// Completes the task, and closes a temporary session.
    public func finish(_ task: String, _ outcome: Result<String, XenAPIError>, authorization: Authorization, toolstack: Toolstack) async {
        await finish(task, value: outcome.map { .string($0) }, authorization: authorization, toolstack: toolstack)
    }

    /// Completes the task with a result of any type, and closes a temporary session.
    public func finish(_ task: String, value outcome: Result<RPCValue, XenAPIError>, authorization: Authorization, toolstack: Toolstack) async {
        await TaskLifecycle.complete(services, task: Ref(task), outcome: outcome)
        if authorization.temporary {
            _ = await toolstack.call(method: "session.logout", params: [.string(authorization.session)], origin: .network)
        }
    }

    /// The disk a query names by ref or uuid.
    private func disk(_ text: String, in snapshot: Snapshot) throws(XenAPIError) -> ObjectView<VDI> {
        if let view = snapshot[Ref<VDI>(text)] { return view }
        if let ref = snapshot.ref(VDI.self, uuid: text), let view = snapshot[ref] { return view }
        throw XenAPIError.handleInvalid(className: VDI.className, handle: text)
    }

    /// The stream `GET /export_raw_vdi` sends: the disk as `raw` or `vhd`, and with `base` (a
    /// snapshot of it, or of what it was cloned from) only the blocks that may differ from it.
    public func export(vdi: String, format: String, base: String?) throws(XenAPIError) -> (stream: VHDExport, uuid: String) {
        let snapshot = services.database.snapshot
        let record = try disk(vdi, in: snapshot)
        guard let kind = VHDExport.Format(rawValue: format) else { throw XenAPIError.invalidValue(field: "format", value: format) }
        guard let folder = services.vhdFolder(of: record.sr, in: snapshot) else { throw XenAPIError.srOperationNotSupported(sr: record.sr.rawValue) }
        _ = try services.storageHost(of: record.sr, in: snapshot)
        var baseChain: VHDChain?
        if let base {
            let baseRecord = try disk(base, in: snapshot)
            guard let baseFolder = services.vhdFolder(of: baseRecord.sr, in: snapshot) else {
                throw XenAPIError.srOperationNotSupported(sr: baseRecord.sr.rawValue)
            }
            baseChain = try storageOperation { () throws(VHDError) in try baseFolder.chain(baseRecord.location) }
        }
        let chain = try storageOperation { () throws(VHDError) in try folder.chain(record.location) }
        return (VHDExport(chain, format: kind, base: baseChain), services.environment.makeUUID())
    }

    /// The XVA stream `GET /export` sends for the VM (or snapshot, or template) named by `ref=`
    /// or `uuid=`.
    public func exportVM(ref: String?, uuid: String?, metadataOnly: Bool = false) throws(XenAPIError) -> XVAExport {
        let snapshot = services.database.snapshot
        var vm = Ref<VM>(ref ?? "")
        if let uuid {
            guard let found = snapshot.ref(VM.self, uuid: uuid) else { throw XenAPIError.uuidInvalid(className: VM.className, uuid: uuid) }
            vm = found
        }
        guard snapshot.contains(vm) else { throw XenAPIError.handleInvalid(className: VM.className, handle: ref ?? "") }
        return try XVAExport(services: services, vm: vm, metadataOnly: metadataOnly)
    }

    /// VHD footer timestamps: now.
    public var timestamp: UInt32 { VHDFolder.timestamp(unixSeconds: services.environment.wallClockSeconds()) }

    /// Writes an upload into the disk (`raw` or `vhd`), reading `next` chunk by chunk; returns
    /// the disk's ref. Refused while a running VM has the disk; undone if the upload fails.
    public func importDisk(
        vdi: String, format: String, next: @escaping () async throws -> [UInt8]?, progress: @escaping (Int64) async -> Void
    ) async throws(XenAPIError) -> String {
        let services = self.services
        let snapshot = services.database.snapshot
        let record = try disk(vdi, in: snapshot)
        guard let kind = VHDExport.Format(rawValue: format) else { throw XenAPIError.invalidValue(field: "format", value: format) }
        try VDIMessages.assertUnplugged(record, "import", in: snapshot)
        guard let folder = services.vhdFolder(of: record.sr, in: snapshot) else { throw XenAPIError.srOperationNotSupported(sr: record.sr.rawValue) }
        _ = try services.storageHost(of: record.sr, in: snapshot)
        guard record.managed, !record.readOnly else { throw XenAPIError.vdiReadonly(vdi: record.ref.rawValue) }
        let base = services.environment.makeUUID()
        let timestamp = self.timestamp
        let made = try storageOperation { () throws(VHDError) in try folder.snapshot(record.location, base: base, clones: [], timestamp: timestamp) }
        do throws(any Error) {
            let writer = try VHDWriter.open(path: folder.file(record.location))
            let chain = try folder.chain(record.location)
            var reader = ByteStreamReader(next: next)
            do {
                switch kind {
                case .raw:
                    try await VHDImport.raw(from: &reader, into: writer, holdsData: chain.holdsData(block:), progress: progress)
                case .vhd:
                    try await VHDImport.vhd(from: &reader, into: writer, progress: progress)
                }
                try writer.close()
            } catch {
                try? writer.close()
                throw error
            }
        } catch {
            try? folder.rollBack(made.journal)
            if let error = error as? VHDError { throw XenAPIError.storage(error) }
            if let error = error as? XenAPIError { throw error }
            throw XenAPIError.storageBackend(1200, "the upload failed: \(error)")
        }
        let leaf = try storageOperation { () throws(VHDError) in try folder.facts(record.location) }
        let baseFacts = made.base
        let space = SRSpace.measure(record.sr, services: services, snapshot: snapshot)
        try await FileChange.committing([FileChange(folder: folder, journal: made.journal)]) { () throws(XenAPIError) in
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                let current = try tx.snapshot.require(record.ref)
                if let baseFacts { try DiskDuplicate.recordBaseCopy(baseFacts, of: current, services: services, in: &tx) }
                try tx.update(record.ref) { disk in
                    disk.physicalUtilisation = leaf.physicalSize
                    disk.smConfig["vhd-parent"] = leaf.parent
                }
                try space?.record(in: &tx)
            }
        }
        return record.ref.rawValue
    }
}
