import XenAPI
import XenDB
import XenRPC

/// `session.*`: logging in and out.
struct SessionMessages: SessionActions {
    let services: CoreServices

    func loginWithPassword(_ context: CallContext, uname: String, pwd: String, version: String, originator: String)
        async throws -> Ref<Session>
    {
        guard context.origin == .localSocket || services.credentials.verify(user: uname, password: pwd) else {
            try await services.environment.sleep(services.configuration.loginFailureDelay)
            throw XenAPIError.sessionAuthenticationFailed(uname: uname, message: "Authentication failure")
        }
        let ref = services.makeRef(Session.self)
        let now = services.now()
        let uuid = services.environment.makeUUID()
        let reaped = try await services.database.write { (tx: inout Transaction) throws(XenAPIError) -> [Ref<Session>] in
            let reaped = Housekeeping.reapSessions(&tx, now: now)
            let host = services.localHost(tx.snapshot)
            try tx.insert(ref) { session in
                session.uuid = uuid
                session.thisHost = host
                session.lastActive = now
                session.validationTime = now
                session.isLocalSuperuser = true
                session.authUserName = RootCredentials.userName
                session.originator = originator
            }
            return reaped
        }
        for session in reaped { services.eventQueues.unregisterAll(session: session) }
        return ref
    }

    func logout(_ context: CallContext) async throws {
        try await destroySession(context.session)
    }

    func localLogout(_ context: CallContext) async throws {
        try await destroySession(context.session)
    }

    func changePassword(_ context: CallContext, oldPwd: String, newPwd: String) async throws {
        let user = services.database.snapshot[context.session]?.authUserName ?? ""
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

    private func destroySession(_ session: Ref<Session>) async throws(XenAPIError) {
        services.eventQueues.unregisterAll(session: session)
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            if tx.snapshot.contains(session) { try tx.delete(session) }
        }
    }
}
