public import XenAPI
import XenAPIModel
import XenDB
public import XenRPC

/// What a call produced, before a codec writes it.
public enum CallResult: Sendable, Equatable {
    case success(RPCValue)
    case failure([String])
    /// A value written without the Status envelope (xapi does this for `system.listMethods`).
    case bare(RPCValue)
}

/// The control plane of one host: takes decoded calls from any wire and runs them through
/// xapi's order of checks: method lookup, parameter count, session, object existence, then
/// the implementation (synchronously, or as a task for `Async.` calls).
public final class Toolstack: Sendable {
    public let services: CoreServices
    public let table: DispatchTable

    /// Builds the dispatch table; fails if a custom message would shadow an implicit one
    /// the model does not say it replaces.
    public init(services: CoreServices) throws(XenAPIError) {
        self.services = services
        let schema = services.database.schema
        let implicit = schema.classNames.flatMap { ImplicitMessages.descriptors(for: schema[$0]!, services: services) }
        self.table = try DispatchTable(implicit: implicit, custom: CustomMessages(services: services).descriptors())
    }

    /// Brings the pool up: creates the pool on an empty database and a host for each machine it
    /// lacks, puts in the built-in templates it lacks, finishes host boots a crash interrupted, re-enables the hosts unless they were
    /// disabled for good, and reconciles the VMs with what the hypervisors run.
    public func startUp() async throws(XenAPIError) {
        try await Self.startUp(services)
    }

    /// The work of `startUp()`, for what restarts the pool from within (a database restore).
    static func startUp(_ services: CoreServices) async throws(XenAPIError) {
        try await PoolBootstrap.run(services)
        try await TemplateInstaller.run(services)
        try await StorageRecovery.run(services)
        try await ToolsLibrary.run(services)
        try await PoolOperations.clearStale(services)
        let hosts = HostMessages.machineHosts(services)
        try await PendingGuidance.toolstackStarted(services, hosts: hosts)
        try await HostMessages.finishInterruptedBoots(services, hosts: hosts)
        try await HostMessages.enableAfterRestart(services, hosts: hosts)
        try await Reconciliation.run(services)
        try await HostMessages.refreshMemory(services, hosts: hosts)
        services.updateSchedule.reschedule(services)
        RollingEngine.resumeRuns(services)
    }

    /// The one call a member's toolstack takes.
    private static let memberEjected = "pool.member_ejected"

    /// Runs one call.
    public func call(method: String, params: [RPCValue], origin: CallOrigin = .network) async -> CallResult {
        do {
            return try await dispatch(method: method, params: params, origin: origin)
        } catch let error as XenAPIError {
            return .failure(error.errorDescription)
        } catch is CancellationError {
            return .failure(["INTERNAL_ERROR", "the call was cancelled"])
        } catch {
            return .failure(["INTERNAL_ERROR", "\(error)"])
        }
    }

    private func dispatch(method: String, params: [RPCValue], origin: CallOrigin) async throws -> CallResult {
        if method == "system.listMethods" { return .bare(.array(table.wireNames.map(RPCValue.string))) }
        let isAsync = method.hasPrefix("Async.")
        let name = isAsync ? String(method.dropFirst("Async.".count)) : method
        // A member's toolstack serves nothing but the coordinator's word that it was ejected.
        if let member = services.role.member, name != Self.memberEjected {
            throw XenAPIError.hostIsSlave(coordinatorAddress: member.address)
        }
        guard let descriptor = table.lookup(name, allowAlias: !isAsync) else {
            if let session = params.first { _ = try await validSession(session) }
            throw XenAPIError.messageMethodUnknown(method: method)
        }
        let given = params.count - (descriptor.takesSession ? 1 : 0)
        guard given >= descriptor.requiredCount, given <= descriptor.parameters.count else {
            // Like xapi, the expected count is that of the mandatory parameters.
            throw XenAPIError.messageParameterCountMismatch(
                method: name, expected: String(descriptor.requiredCount), received: String(max(given, 0)))
        }
        var session = Ref<Session>.null
        if descriptor.takesSession { session = try await validSession(params[0]) }
        var values = Array(params.dropFirst(descriptor.takesSession ? 1 : 0))
        for parameter in descriptor.parameters.dropFirst(values.count) {
            values.append(ValueCoercion.wireValue(parameter.defaultValue!, type: parameter.type))
        }
        let context = CallContext(session: session, task: nil, method: descriptor.wireName, origin: origin)
        if isAsync {
            guard descriptor.hasAsync else { throw XenAPIError.noAsyncMode(descriptor.wireName) }
            let task = try await TaskLifecycle.start(
                services, label: "Async.\(descriptor.wireName)", descriptor: descriptor, context: context,
                parameters: MessageParameters(values))
            return .success(task.rpcValue)
        }
        return .success(try await descriptor.handler(context, MessageParameters(values)))
    }

    /// The caller's session, or `SESSION_INVALID [ref as sent]`.
    private func validSession(_ value: RPCValue) async throws(XenAPIError) -> Ref<Session> {
        guard case .string(let text) = value else {
            throw XenAPIError.sessionInvalid(sessionRef: XMLRPCEncoder.fragment(value))
        }
        let session = Ref<Session>(text)
        guard let lastActive = services.database.snapshot[session]?.lastActive else {
            throw XenAPIError.sessionInvalid(sessionRef: text)
        }
        // Like xapi, refresh last_active at most every ten minutes, so idle reaping spares live sessions.
        let now = services.now()
        if now.secondsSinceEpoch - lastActive.secondsSinceEpoch >= Housekeeping.lastActiveRefreshInterval {
            try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                if tx.snapshot.contains(session) { try tx.set(session, \.lastActive, now) }
            }
        }
        return session
    }
}
