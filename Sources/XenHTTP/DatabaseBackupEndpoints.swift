import Foundation
public import Hummingbird
import NIOCore
public import XenCore
import XenAPI

/// The pool database's dump and restore over HTTP, as xapi serves them: `GET
/// /pool/xmldbdump[?task_id=…]` (the XML dump) and `PUT /pool/xmldbdump?task_id=…[&dry_run=true]` (a restore, its outcome
/// the task's, as for imports). Both need a session or credentials.
public enum DatabaseBackupEndpoints {
    public static func register<Context: RequestContext>(on router: Router<Context>, toolstack: Toolstack) {
        let transfer = DiskTransfer(toolstack: toolstack)
        let backup = DatabaseBackup(toolstack: toolstack)
        router.get("/pool/xmldbdump") { request, _ in
            let authorization: DiskTransfer.Authorization
            let task: String
            switch await TransferRequests.begin(request, transfer, toolstack, label: "Dump pool database") {
            case .success(let started): (authorization, task) = started
            case .failure(let refused): return refused.response
            }
            let dump = backup.dump()
            await transfer.finish(task, value: .success(.string("")), authorization: authorization, toolstack: toolstack)
            var headers: HTTPFields = [.contentType: "application/xml"]
            headers[.init("task-id")!] = task
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: dump)))
        }
        router.put("/pool/xmldbdump") { request, _ in
            guard request.headers[.contentLength] != nil else {
                return Response(status: .badRequest, body: ResponseBody(byteBuffer: ByteBuffer(string: "Content-Length required\n")))
            }
            let authorization: DiskTransfer.Authorization
            let task: String
            switch await TransferRequests.begin(request, transfer, toolstack, label: "Restore pool database") {
            case .success(let started): (authorization, task) = started
            case .failure(let refused): return refused.response
            }
            do {
                var body = try await request.body.collect(upTo: 1 << 30)
                let bytes = body.readBytes(length: body.readableBytes) ?? []
                try await backup.restore(bytes, dryRun: request.uri.queryParameters["dry_run"] == "true")
                await transfer.finish(task, value: .success(.string("")), authorization: authorization, toolstack: toolstack)
            } catch {
                await transfer.finish(task, .failure(TransferRequests.apiError(error)), authorization: authorization, toolstack: toolstack)
            }
            return TransferRequests.taskAnswer(task)
        }
    }
}
