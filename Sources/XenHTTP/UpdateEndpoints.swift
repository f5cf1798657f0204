import Foundation
public import Hummingbird
import NIOCore
public import XenCore
import XenAPI
import XenStorage

/// The update handlers of the coordinator: `GET /updates` (the pool's available updates and
/// their guidance, as JSON), `PUT /bundle` (an offline bundle, synced as the enabled bundle
/// repository, its outcome on the task as for imports) and `GET /repository/enabled/…` (the
/// enabled update repository's mirror, for other pools).
public enum UpdateEndpoints {
    public static func register<Context: RequestContext>(on router: Router<Context>, toolstack: Toolstack) {
        let transfer = DiskTransfer(toolstack: toolstack)
        let updates = UpdateTransfers(toolstack: toolstack)
        router.get("/updates") { request, _ in await availableUpdates(request, transfer, updates, toolstack) }
        router.put("/bundle") { request, _ in await bundle(request, transfer, updates, toolstack) }
        router.get("/repository/enabled/**") { request, _ in await enabledRepository(request, transfer, updates, toolstack) }
    }

    /// `GET /repository/enabled/<path>`: the enabled update repository's mirror, for pools whose
    /// `remote_pool` repository is this coordinator (a session or basic authentication needed).
    private static func enabledRepository(
        _ request: Request, _ transfer: DiskTransfer, _ updates: UpdateTransfers, _ toolstack: Toolstack
    ) async -> Response {
        do {
            _ = try await TransferRequests.authorize(request, transfer, toolstack)
        } catch {
            return TransferRequests.failure(error)
        }
        let prefix = "/repository/enabled/"
        let path = request.uri.path.hasPrefix(prefix) ? String(request.uri.path.dropFirst(prefix.count)) : ""
        do {
            guard let bytes = try updates.enabledRepositoryFile(path.removingPercentEncoding ?? path) else {
                return Response(status: .notFound)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/octet-stream"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        } catch {
            return Response(status: .notFound, body: ResponseBody(byteBuffer: ByteBuffer(string: error.errorDescription.joined(separator: " "))))
        }
    }

    /// `GET /updates?session_id=…[&host_refs=ref1;ref2]`: 404 when no repository is enabled or
    /// the mirror's metadata is not what was synced, 400 for a bad host list, as xapi answers.
    private static func availableUpdates(
        _ request: Request, _ transfer: DiskTransfer, _ updates: UpdateTransfers, _ toolstack: Toolstack
    ) async -> Response {
        do {
            _ = try await TransferRequests.authorize(request, transfer, toolstack)
        } catch {
            return TransferRequests.failure(error)
        }
        let hostRefs = request.uri.queryParameters["host_refs"].map { $0.split(separator: ";").map(String.init) }
        do {
            let document = try await updates.updatesDocument(hostRefs: hostRefs)
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: document)))
        } catch {
            let status: HTTPResponse.Status =
                switch error.code {
                case "HANDLE_INVALID": .badRequest
                case "NO_REPOSITORY_ENABLED", "UPDATEINFO_HASH_MISMATCH", "INVALID_UPDATEINFO_XML", "GET_UPDATES_FAILED": .notFound
                default: .internalServerError
                }
            let text = error.errorDescription.joined(separator: " ") + "\n"
            return Response(status: status, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// `PUT /bundle?session_id=…&task_id=…`: the outcome (the hash, or the error) is the task's.
    private static func bundle(
        _ request: Request, _ transfer: DiskTransfer, _ updates: UpdateTransfers, _ toolstack: Toolstack
    ) async -> Response {
        let authorization: DiskTransfer.Authorization
        let task: String
        switch await TransferRequests.begin(request, transfer, toolstack, label: "Sync bundle") {
        case .success(let started): (authorization, task) = started
        case .failure(let refused): return refused.response
        }
        do {
            let length = request.headers[.contentLength].flatMap { Int64($0) } ?? 0
            let progress = TaskProgress(transfer, task)
            var chunks = request.body.makeAsyncIterator()
            let hash = try await updates.uploadBundle(
                ByteStreamReader { try await chunks.next().map { Array($0.readableBytesView) } }, length: length, task: task
            ) { fraction in await progress.report(fraction) }
            await transfer.finish(task, value: .success(.string(hash)), authorization: authorization, toolstack: toolstack)
        } catch {
            await transfer.finish(task, .failure(TransferRequests.apiError(error)), authorization: authorization, toolstack: toolstack)
        }
        return TransferRequests.taskAnswer(task)
    }
}
