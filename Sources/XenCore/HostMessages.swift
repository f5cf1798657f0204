import XenAPI
import XenDB

/// `host.*` custom messages.
struct HostMessages: HostActions {
    let services: CoreServices

    func getServertime(_ context: CallContext, host: Ref<Host>) async throws -> DateTime {
        _ = try services.database.snapshot.require(host)
        return services.now()
    }

    func computeFreeMemory(_ context: CallContext, host: Ref<Host>) async throws -> Int64 {
        _ = try services.database.snapshot.require(host)
        return try await services.hostFacts().freeMemory
    }
}
