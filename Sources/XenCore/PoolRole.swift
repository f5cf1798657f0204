import Synchronization
import XenAPI
public import XenBackend

/// Whether this toolstack runs its own pool or is a member of another's (xapi's `pool.conf`),
/// where that is kept, and what an ejected member does: it starts again as a new pool of its
/// own, with an empty database and empty local storage. A member's toolstack no longer runs its
/// machine (the coordinator's does) and answers every call with `HOST_IS_SLAVE`; its role is
/// the coordinator's address and the secret it gave the coordinator when it joined, which the
/// coordinator shows when it tells the member that it was ejected.
public final class PoolRole: Sendable {
    private let role: Mutex<ToolstackContact?>
    private let save: @Sendable (ToolstackContact?) throws -> Void
    private let startAgainAsNewPool: @Sendable () -> Void

    /// `role` as kept; `save` keeps a new one (throwing if it could not); `startAgainAsNewPool`
    /// wipes this host's pool state and restarts the toolstack (called once the eject is answered).
    public init(
        _ role: ToolstackContact?, save: @escaping @Sendable (ToolstackContact?) throws -> Void,
        startAgainAsNewPool: @escaping @Sendable () -> Void
    ) {
        self.role = Mutex(role)
        self.save = save
        self.startAgainAsNewPool = startAgainAsNewPool
    }

    /// A toolstack that runs its own pool and keeps no role anywhere (tests).
    public static func standalone() -> PoolRole { PoolRole(nil, save: { _ in }, startAgainAsNewPool: {}) }

    /// The coordinator of the pool this host is a member of; `nil` when it runs its own.
    public var member: ToolstackContact? { role.withLock { $0 } }

    /// This host is now a member of the pool whose coordinator is at `member.address`, durably.
    func become(_ member: ToolstackContact) throws(XenAPIError) {
        do {
            try save(member)
        } catch {
            throw XenAPIError.internalError(message: "The pool role could not be saved: \(error)")
        }
        role.withLock { $0 = member }
    }

    /// This host runs its own pool again (a join that the coordinator refused).
    func leave() throws {
        try save(nil)
        role.withLock { $0 = nil }
    }

    /// The host was ejected: it starts again as a new pool.
    func ejected() { startAgainAsNewPool() }
}
