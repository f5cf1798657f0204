import XenAPI

/// The calls one pool's toolstack makes to another's: a joining host asks the coordinator to
/// admit it, and the coordinator tells an ejected member's toolstack that it left. `xapid` makes
/// them over HTTP with the XenAPI client; tests join toolstacks in one process.
public protocol PoolPeers: Sendable {
    /// Where this toolstack can be reached by another pool's (its URL).
    var ownAddress: String { get }
    /// Logs in to the coordinator at `address` and calls `pool.admit_host` with `description`;
    /// returns the new host's reference there. Unreachable: `JOINING_HOST_CONNECTION_FAILED`;
    /// a XenAPI failure there is passed on as it is.
    func admit(at address: String, username: String, password: String, description: [String: String])
        async throws(XenAPIError) -> String
    /// Tells the toolstack at `address` that its host was ejected (`pool.member_ejected`);
    /// returns whether it was told.
    func tellEjected(at address: String, secret: String) async -> Bool
}
