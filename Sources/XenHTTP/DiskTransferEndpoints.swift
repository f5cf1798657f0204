import Foundation
public import Hummingbird
import NIOCore
import Synchronization
public import XenCore
import XenAPI
import XenRPC
import XenStorage

/// The disk transfer handlers, XenAPI's first that are not RPC: `GET /export_raw_vdi` and
/// `PUT /import_raw_vdi` with `vdi=` (ref or uuid), `format=raw|vhd`, `base=` (export only),
/// `session_id=` or basic auth, and `task_id=` (a client's task to report progress and outcome
/// on; else one is made). Both stream: a block in memory at a time. Responses carry the
/// `task-id` header, as xapi's do.
public enum DiskTransferEndpoints {
    public static func register<Context: RequestContext>(on router: Router<Context>, toolstack: Toolstack) {
        let transfer = DiskTransfer(toolstack: toolstack)
        router.get("/export_raw_vdi") { request, _ in await export(request, transfer, toolstack) }
        router.put("/import_raw_vdi") { request, _ in await importDisk(request, transfer, toolstack) }
        router.get("/export") { request, _ in await exportVM(request, transfer, toolstack) }
        router.put("/import") { request, _ in await importVM(request, transfer, toolstack) }
        router.get("/export_metadata") { request, _ in await exportVM(request, transfer, toolstack, metadataOnly: true) }
        router.put("/import_metadata") { request, _ in await importVM(request, transfer, toolstack, metadataOnly: true) }
    }

    /// `PUT /import?sr_id=…&restore=…&force=…&network_map=…`: an XVA stream made into a VM (with
    /// `template=…&name=…&format=raw|vhd|tar`, a physical machine's disk image or root filesystem's
    /// tarball instead); the task's result
    /// is the new VMs' refs, its progress follows the disks. A body without `Content-Length` is
    /// refused as xapi refuses it.
    private static func importVM(
        _ request: Request, _ transfer: DiskTransfer, _ toolstack: Toolstack, metadataOnly: Bool = false
    ) async -> Response {
        let query = request.uri.queryParameters
        let authorization: DiskTransfer.Authorization
        let task: String
        switch await TransferRequests.begin(request, transfer, toolstack, label: "VM import") {
        case .success(let started): (authorization, task) = started
        case .failure(let refused): return refused.response
        }
        func flag(_ name: Substring) -> Bool { query[name].map { ["true", "1", "yes"].contains($0.lowercased()) } ?? false }
        do {
            guard request.headers[.contentLength] != nil else { throw XenAPIError.importErrorCannotHandleChunked() }
            let progress = TaskProgress(transfer, task)
            // Form encoding writes spaces as `+` (Python's urlencode does).
            func text(_ name: Substring) -> String? { query[name].map { String($0).replacingOccurrences(of: "+", with: " ") } }
            if let template = text("template"), !metadataOnly {
                // P2V: a disk image (format=raw|vhd) or a root filesystem's tarball (format=tar)
                // made into a VM from the template.
                let named = query["format"].map(String.init) ?? "raw"
                guard let format = P2VImport.Format(rawValue: named) else { throw XenAPIError.invalidValue(field: "format", value: named) }
                var chunks = request.body.makeAsyncIterator()
                let vm = try await P2VImport(toolstack: toolstack, session: authorization.session).run(
                    ByteStreamReader { try await chunks.next().map { Array($0.readableBytesView) } },
                    options: .init(
                        template: template, name: text("name") ?? "Imported physical machine",
                        sr: query["sr_id"].map(String.init), format: format,
                        length: request.headers[.contentLength].flatMap { Int64($0) } ?? 0)
                ) { fraction in await progress.report(fraction) }
                await transfer.finish(task, value: .success(.array([.string(vm)])), authorization: authorization, toolstack: toolstack)
                return TransferRequests.taskAnswer(task)
            }
            let reader = ByteStreamReader(next: decompressed(request.body))
            // `network_map=<file network's uuid, name or bridge>=<network ref or uuid>`, repeated.
            var networkMap: [String: String] = [:]
            for entry in query.getAll("network_map") {
                guard let equals = entry.lastIndex(of: "=") else { throw XenAPIError.invalidValue(field: "network_map", value: String(entry)) }
                networkMap[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
            }
            let vms = try await XVAImport(toolstack: toolstack, session: authorization.session).run(
                reader,
                options: .init(
                    sr: query["sr_id"].map(String.init), restore: flag("restore"), force: flag("force"), networkMap: networkMap,
                    metadataOnly: metadataOnly)
            ) { fraction in await progress.report(fraction) }
            await transfer.finish(task, value: .success(.array(vms.map(RPCValue.string))), authorization: authorization, toolstack: toolstack)
            return TransferRequests.taskAnswer(task)
        } catch {
            // As xapi: the answer is 200 all the same, the outcome is the task's.
            await transfer.finish(task, .failure(TransferRequests.apiError(error)), authorization: authorization, toolstack: toolstack)
            return TransferRequests.taskAnswer(task)
        }
    }

    /// `GET /export?uuid=…|ref=…[&use_compression=…][&checksum=xxhash|sha1]`: the VM as an XVA
    /// stream, its task's progress following the disks; `GET /export_metadata` the same without
    /// the disks. `checksum=sha1` writes the `.checksum` members of XenServer 8.0 and older, for
    /// tools that read only those (`xva-img`); xapi itself writes `.xxhash`.
    private static func exportVM(
        _ request: Request, _ transfer: DiskTransfer, _ toolstack: Toolstack, metadataOnly: Bool = false
    ) async -> Response {
        let query = request.uri.queryParameters
        let authorization: DiskTransfer.Authorization
        let task: String
        switch await TransferRequests.begin(request, transfer, toolstack, label: "VM export") {
        case .success(let started): (authorization, task) = started
        case .failure(let refused): return refused.response
        }
        let export: XVAExport
        let coder: (any StreamCoder)?
        let checksum: XVAChunkChecksum
        do {
            let named = query["checksum"].map(String.init) ?? "xxhash"
            guard let chosen = XVAChunkChecksum(rawValue: named) else { throw XenAPIError.invalidValue(field: "checksum", value: named) }
            checksum = chosen
            coder = try StreamCompression.parse(query["use_compression"].map(String.init) ?? "false")?.coder(decompressing: false)
            export = try transfer.exportVM(
                ref: query["ref"].map(String.init), uuid: query["uuid"].map(String.init), metadataOnly: metadataOnly)
        } catch {
            await transfer.finish(task, .failure(TransferRequests.apiError(error)), authorization: authorization, toolstack: toolstack)
            return TransferRequests.failure(error, task: task)
        }
        var headers: HTTPFields = [.contentType: "application/octet-stream"]
        headers[.init("task-id")!] = task
        headers[.contentDisposition] = "attachment; filename=\"\(export.vmUUID).xva\""
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let progress = TaskProgress(transfer, task)
                do {
                    try await export.write(checksum: checksum) { bytes in
                        let out = try coder?.code(bytes) ?? bytes
                        if !out.isEmpty { try await writer.write(ByteBuffer(bytes: out)) }
                    } progress: { fraction in await progress.report(fraction) }
                    if let tail = try coder?.finish(), !tail.isEmpty { try await writer.write(ByteBuffer(bytes: tail)) }
                    try await writer.finish(nil)
                    await transfer.finish(task, .success(""), authorization: authorization, toolstack: toolstack)
                } catch {
                    await transfer.finish(task, .failure(TransferRequests.apiError(error)), authorization: authorization, toolstack: toolstack)
                    throw error
                }
            })
    }

    /// The body's chunks, decompressed when the stream starts with gzip's or zstd's magic number.
    private static func decompressed(_ body: RequestBody) -> @Sendable () async throws -> [UInt8]? {
        let state = DecompressionState(body.makeAsyncIterator())
        return { try await state.next() }
    }

    private static func export(_ request: Request, _ transfer: DiskTransfer, _ toolstack: Toolstack) async -> Response {
        let query = request.uri.queryParameters
        let authorization: DiskTransfer.Authorization
        let task: String
        switch await TransferRequests.begin(request, transfer, toolstack, label: "VDI export") {
        case .success(let started): (authorization, task) = started
        case .failure(let refused): return refused.response
        }
        let prepared: (stream: VHDExport, uuid: String)
        do {
            guard let vdi = query["vdi"].map(String.init) else { throw XenAPIError.invalidValue(field: "vdi", value: "") }
            prepared = try transfer.export(vdi: vdi, format: query["format"].map(String.init) ?? "raw", base: query["base"].map(String.init))
        } catch {
            await transfer.finish(task, .failure(TransferRequests.apiError(error)), authorization: authorization, toolstack: toolstack)
            return TransferRequests.failure(error, task: task)
        }
        let (stream, uuid) = prepared
        let timestamp = transfer.timestamp
        var headers: HTTPFields = [.contentType: "application/octet-stream", .contentLength: String(stream.length)]
        headers[.init("task-id")!] = task
        headers[.contentDisposition] = "attachment; filename=\"\(query["vdi"] ?? "disk").\(stream.format == .vhd ? "vhd" : "raw")\""
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var sent: Int64 = 0
                let progress = TaskProgress(transfer, task)
                do {
                    try await stream.write(uuid: uuid, timestamp: timestamp) { bytes in
                        try await writer.write(ByteBuffer(bytes: bytes))
                        sent += Int64(bytes.count)
                        await progress.report(Double(sent) / Double(max(1, stream.length)))
                    }
                    try await writer.finish(nil)
                    await transfer.finish(task, .success(""), authorization: authorization, toolstack: toolstack)
                } catch {
                    await transfer.finish(task, .failure(TransferRequests.apiError(error)), authorization: authorization, toolstack: toolstack)
                    throw error
                }
            })
    }

    private static func importDisk(_ request: Request, _ transfer: DiskTransfer, _ toolstack: Toolstack) async -> Response {
        let query = request.uri.queryParameters
        let authorization: DiskTransfer.Authorization
        let task: String
        switch await TransferRequests.begin(request, transfer, toolstack, label: "VDI import") {
        case .success(let started): (authorization, task) = started
        case .failure(let refused): return refused.response
        }
        let expected = request.headers[.contentLength].flatMap { Int64($0) }
        var chunks = request.body.makeAsyncIterator()
        let progress = TaskProgress(transfer, task)
        do {
            guard let vdi = query["vdi"].map(String.init) else { throw XenAPIError.invalidValue(field: "vdi", value: "") }
            let ref = try await transfer.importDisk(
                vdi: vdi, format: query["format"].map(String.init) ?? "raw",
                next: { try await chunks.next().map { Array($0.readableBytesView) } },
                progress: { done in
                    guard let expected, expected > 0 else { return }
                    await progress.report(Double(done) / Double(expected))
                })
            await transfer.finish(task, .success(ref), authorization: authorization, toolstack: toolstack)
            return TransferRequests.taskAnswer(task)
        } catch {
            let failure = TransferRequests.apiError(error)
            await transfer.finish(task, .failure(failure), authorization: authorization, toolstack: toolstack)
            return TransferRequests.failure(failure, task: task)
        }
    }
}

/// Reads a request body chunk by chunk, decompressing it when its first bytes say so.
private final class DecompressionState: @unchecked Sendable {
    private var chunks: RequestBody.AsyncIterator
    private var coder: (any StreamCoder)?
    private var started = false
    private var ended = false

    init(_ chunks: RequestBody.AsyncIterator) { self.chunks = chunks }

    /// The next piece of the plain stream, or `nil` at its end.
    func next() async throws -> [UInt8]? {
        while !ended {
            guard let chunk = try await chunks.next() else {
                ended = true
                let tail = try coder?.finish() ?? []
                return tail.isEmpty ? nil : tail
            }
            let bytes = Array(chunk.readableBytesView)
            if !started {
                started = true
                coder = try StreamCompression.detect(bytes)?.coder(decompressing: true)
            }
            let plain = try coder?.code(bytes) ?? bytes
            if !plain.isEmpty { return plain }
        }
        return nil
    }
}
