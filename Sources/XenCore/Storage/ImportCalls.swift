import XenAPI
import XenDB
import XenRPC

/// What an import (XVA or P2V) does on the caller's behalf: ordinary calls in the caller's
/// session, the SR it writes to, and the clean-up of what it made when it fails.
struct ImportCalls: Sendable {
    let services: CoreServices
    let toolstack: Toolstack
    let session: String

    init(toolstack: Toolstack, session: String) {
        self.services = toolstack.services
        self.toolstack = toolstack
        self.session = session
    }

    @discardableResult
    func call(_ method: String, _ parameters: RPCValue...) async throws(XenAPIError) -> RPCValue {
        switch await toolstack.call(method: method, params: [.string(session)] + parameters) {
        case .success(let value), .bare(let value): return value
        case .failure(let description): throw XenAPIError(errorDescription: description)
        }
    }

    /// Destroys what the import made (class and ref), newest first.
    func undo(_ made: [(String, String)]) async {
        for (className, ref) in made.reversed() {
            _ = await toolstack.call(method: "\(className).destroy", params: [.string(session), .string(ref)])
        }
    }

    /// The SR `given` names (ref or uuid), else the pool's default (`DEFAULT_SR_NOT_FOUND` if
    /// none); an ISO library is `SR_OPERATION_NOT_SUPPORTED`.
    func targetSR(_ given: String?) throws(XenAPIError) -> String {
        let snapshot = services.database.snapshot
        var sr = snapshot.objects(Pool.self).first?.defaultSR ?? .null
        if let given {
            if snapshot.contains(Ref<SR>(given)) {
                sr = Ref(given)
            } else if let ref = snapshot.ref(SR.self, uuid: given) {
                sr = ref
            } else {
                throw XenAPIError.handleInvalid(className: SR.className, handle: given)
            }
        }
        guard snapshot.contains(sr) else { throw XenAPIError.defaultSRNotFound(sr: sr.rawValue) }
        if snapshot[sr]?.contentType == "iso" { throw XenAPIError.srOperationNotSupported(sr: sr.rawValue) }
        return sr.rawValue
    }
}
