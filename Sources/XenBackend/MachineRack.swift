/// Where a pool's machines stand: those present when the toolstack starts, and what becomes of a
/// machine whose host leaves the pool. The simulator's rack forgets an ejected machine for good,
/// as a real ejected host is wiped and starts again as a pool of its own elsewhere.
public protocol MachineRack: Sendable {
    /// Takes the machine with this inventory uuid out of the rack: it no longer starts with the
    /// toolstack, and what it kept (domains, packages) is gone.
    func retire(_ uuid: String) throws
}
