import Foundation
import Synchronization
import Hummingbird
import NIOCore
import XenAPI
import XenCore

/// What the HTTP transfer handlers (exports, imports, bundles, updates) share: the caller's
/// authorization and task, and the answers xapi gives: 200 naming the task when the outcome is
/// the task's, or an HTTP status with the XenAPI error as text.
enum TransferRequests {
    /// The answer to a transfer whose outcome is its task's: 200, naming the task.
    static func taskAnswer(_ task: String) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain"]
        headers[.init("task-id")!] = task
        return Response(status: .ok, headers: headers)
    }

    /// A refusal before the transfer starts.
    struct Refusal: Error { let response: Response }

    /// The caller's session and the transfer's task, or the answer refusing it.
    static func begin(
        _ request: Request, _ transfer: DiskTransfer, _ toolstack: Toolstack, label: String
    ) async -> Result<(DiskTransfer.Authorization, String), Refusal> {
        do {
            let authorization = try await authorize(request, transfer, toolstack)
            let task = try await transfer.task(adopting: request.uri.queryParameters["task_id"].map(String.init), label: label)
            return .success((authorization, task))
        } catch {
            return .failure(Refusal(response: failure(error)))
        }
    }

    /// The session from `session_id`, or basic-auth credentials.
    static func authorize(_ request: Request, _ transfer: DiskTransfer, _ toolstack: Toolstack) async throws -> DiskTransfer.Authorization {
        var user: String?
        var password: String?
        if let header = request.headers[.authorization], header.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":")
        {
            user = String(decoded[..<colon])
            password = String(decoded[decoded.index(after: colon)...])
        }
        return try await transfer.authorize(
            sessionID: request.uri.queryParameters["session_id"].map(String.init), user: user, password: password, toolstack: toolstack)
    }

    static func apiError(_ error: any Error) -> XenAPIError {
        (error as? XenAPIError) ?? .internalError(message: "\(error)")
    }

    /// The failure as an HTTP status (401 for sessions, 404 for a missing disk, 400 for bad
    /// arguments, else 500) with the XenAPI error as text.
    static func failure(_ error: any Error, task: String? = nil) -> Response {
        let failure = apiError(error)
        let status: HTTPResponse.Status =
            switch failure.code {
            case "SESSION_INVALID", "SESSION_AUTHENTICATION_FAILED": .unauthorized
            case "HANDLE_INVALID", "UUID_INVALID": .notFound
            case "INVALID_VALUE": .badRequest
            default: .internalServerError
            }
        var headers: HTTPFields = [.contentType: "text/plain"]
        if let task { headers[.init("task-id")!] = task }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: failure.errorDescription.joined(separator: " ") + "\n")))
    }
}

/// A transfer task's progress, recorded in steps of 5 % so a transfer writes the database some
/// twenty times whatever its size.
final class TaskProgress: Sendable {
    private let transfer: DiskTransfer
    private let task: String
    private let reported = Mutex(0)

    init(_ transfer: DiskTransfer, _ task: String) {
        self.transfer = transfer
        self.task = task
    }

    func report(_ fraction: Double) async {
        let percent = Int(min(max(fraction, 0), 1) * 100)
        let due = reported.withLock { last in
            guard percent >= last + 5 else { return false }
            last = percent
            return true
        }
        if due { await transfer.progress(task, Double(percent) / 100) }
    }
}
