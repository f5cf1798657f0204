import XenAPI
import XenDB
import XenRPC

/// `session.*`: logging in and out.
struct SessionMessages: SessionActions {
    let services: CoreServices

    func loginWithPassword(_ context: CallContext, uname: String, pwd: String, version: String, originator: String)
        async throws -> ObjectRef
    {
        guard context.origin == .localSocket || services.credentials.verify(user: uname, password: pwd) else {
            try await services.environment.sleep(services.configuration.loginFailureDelay)
            throw XenAPIError.sessionAuthenticationFailed(uname: uname, message: "Authentication failure")
        }
        let ref = services.makeRef()
        let now = services.now()
        let uuid = services.environment.makeUUID()
        let reaped = try await services.database.write { (tx: inout Transaction) throws(XenAPIError) -> [String] in
            let reaped = Housekeeping.reapSessions(&tx, now: services.environment.wallClockSeconds())
            try tx.insert(
                "session", ref: ref,
                fields: [
                    "uuid": .string(uuid), "this_host": .string(services.localHost(tx.snapshot)),
                    "last_active": now, "validation_time": now, "is_local_superuser": .bool(true),
                    "auth_user_name": .string(RootCredentials.userName), "originator": .string(originator),
                ])
            return reaped
        }
        for session in reaped { services.eventQueues.unregisterAll(session: session) }
        return ObjectRef(ref)
    }

    func logout(_ context: CallContext) async throws {
        try await destroySession(context.session)
    }

    func localLogout(_ context: CallContext) async throws {
        try await destroySession(context.session)
    }

    func changePassword(_ context: CallContext, oldPwd: String, newPwd: String) async throws {
        let user = services.database.snapshot.value("session", context.session.rawValue, "auth_user_name")?.stringValue ?? ""
        guard user == RootCredentials.userName else {
            throw XenAPIError.permissionDenied(message: "only the local root account can change its password")
        }
        guard services.credentials.verify(user: user, password: oldPwd) else {
            try await services.environment.sleep(services.configuration.loginFailureDelay)
            throw XenAPIError.sessionAuthenticationFailed(uname: user, message: "Authentication failure")
        }
        let updated = try RootCredentials.make(password: newPwd, salt: services.environment.randomBytes(16))
        do {
            try services.credentials.replace(with: updated)
        } catch {
            throw XenAPIError.internalError(message: "could not store the new password: \(error)")
        }
    }

    private func destroySession(_ session: ObjectRef) async throws(XenAPIError) {
        services.eventQueues.unregisterAll(session: session.rawValue)
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            if tx.snapshot.contains("session", session.rawValue) { try tx.delete("session", ref: session.rawValue) }
        }
    }
}
