import XenAPI
import XenDB
import XenRPC

/// `event.*`: `event.from` (the one clients should use) and the legacy register/next queue.
struct EventMessages: EventActions {
    let services: CoreServices

    private var database: PoolDatabase { services.database }

    func register(_ context: CallContext, classes: [String]) async throws {
        let subscription = try EventSubscription(classes, schema: database.schema)
        services.eventQueues.register(
            session: context.session, subscription, currentGeneration: database.snapshot.generation)
    }

    func unregister(_ context: CallContext, classes: [String]) async throws {
        let subscription = try EventSubscription(classes, schema: database.schema)
        services.eventQueues.unregister(session: context.session, subscription)
    }

    func next(_ context: CallContext) async throws -> RPCValue {
        let session = context.session
        guard services.eventQueues.queue(session: session) != nil else {
            throw XenAPIError.sessionNotRegistered(handle: session.rawValue)
        }
        while true {
            try _Concurrency.Task.checkCancellation()
            let snapshot = database.snapshot
            guard snapshot.contains(session), let queue = services.eventQueues.queue(session: session) else {
                throw XenAPIError.sessionInvalid(sessionRef: session.rawValue)
            }
            let timestamp = "\(services.environment.wallClockSeconds())."
            let batch = EventBatch.collect(
                snapshot, since: queue.lastGeneration, subscription: queue.subscription, timestamp: timestamp)
            if !batch.events.isEmpty {
                services.eventQueues.advance(session: session, to: batch.generation)
                return .array(batch.events)
            }
            await database.waitForCommit(after: snapshot.generation)
            if let failure = database.failure { throw XenAPIError.internalError(message: failure) }
        }
    }

    func from(_ context: CallContext, classes: [String], token: String, timeout: Double) async throws -> RPCValue {
        let subscription = try EventSubscription(classes, schema: database.schema)
        let since = try EventBatch.parseToken(token)
        let wait = timeout.isFinite && timeout > 0 ? Duration.milliseconds(Int64(min(timeout, 86_400) * 1000)) : .zero
        let deadline = services.environment.now() + wait
        while true {
            let snapshot = database.snapshot
            guard snapshot.contains(context.session) else {
                throw XenAPIError.sessionInvalid(sessionRef: context.session.rawValue)
            }
            let batch = EventBatch.collect(snapshot, since: since, subscription: subscription, timestamp: "0.0")
            let remaining = deadline - services.environment.now()
            if !batch.events.isEmpty || remaining <= .zero { return batch.fromResult(snapshot) }
            try await waitForCommit(after: snapshot.generation, atMost: remaining)
            if let failure = database.failure { throw XenAPIError.internalError(message: failure) }
        }
    }

    func getCurrentId(_ context: CallContext) async throws -> Int64 {
        database.snapshot.generation
    }

    func inject(_ context: CallContext, className: String, ref: String) async throws -> String {
        let wireName = database.schema.byLowercasedName[className.lowercased()] ?? className
        let generation = try await database.write { (tx: inout Transaction) throws(XenAPIError) -> Int64 in
            guard tx.snapshot.contains(wireName, ref) else {
                throw XenAPIError.handleInvalid(className: className, handle: ref)
            }
            try tx.touch(wireName, ref: ref)
            return tx.generation
        }
        return EventBatch.token(generation)
    }

    /// Returns after the next commit or when `limit` has passed, whichever is first.
    private func waitForCommit(after generation: Int64, atMost limit: Duration) async throws {
        let environment = services.environment
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await database.waitForCommit(after: generation) }
            group.addTask { try? await environment.sleep(limit) }
            await group.next()
            group.cancelAll()
        }
        try _Concurrency.Task.checkCancellation()
    }
}
