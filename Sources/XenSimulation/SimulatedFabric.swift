import XenBackend
import Synchronization

/// What the simulated hosts of one pool share: the network that live migrations cross and whose
/// DHCP server gives each guest its address, and the storage suspend images are kept on (so a
/// suspended VM can resume on any host).
public final class SimulatedFabric: Sendable {
    private struct Attachment {
        weak var hypervisor: SimulatedHypervisor?
    }

    struct State: Codable {
        /// VMs whose suspend image waits to be restored.
        var images: Set<String> = []
        /// Each guest's address lease: an index into the guest range, for good.
        var leases: [String: Int] = [:]
        var nextLease = 1
    }

    private let hosts = Mutex<[String: Attachment]>([:])
    private let state: Mutex<State>
    private let record: StoredRecord<State>?

    /// A fabric whose images and leases are kept in `storage` (else only in memory).
    public init(storage: (any SimulationStorage)? = nil) throws {
        record = storage.map { StoredRecord(storage: $0, name: "fabric") }
        state = Mutex(try record?.load() ?? State())
    }

    /// Connects a host, so migrations addressed to `identity` reach it.
    func attach(_ hypervisor: SimulatedHypervisor, as identity: String) {
        hosts.withLock { $0[identity] = Attachment(hypervisor: hypervisor) }
    }

    func host(_ identity: String) -> SimulatedHypervisor? {
        hosts.withLock { $0[identity]?.hypervisor }
    }

    /// Changes the shared state, saving it before anyone sees the change.
    func mutate<T>(_ body: (inout State) throws(HypervisorError) -> T) throws(HypervisorError) -> T {
        try state.withLock { (state: inout State) throws(HypervisorError) -> T in
            let result = try body(&state)
            record?.save(state)
            return result
        }
    }

    func read<T>(_ body: (State) -> T) -> T { state.withLock { body($0) } }

    /// The guest's address lease, made on its first boot.
    func lease(for vm: String) -> Int {
        state.withLock { state in
            if let lease = state.leases[vm] { return lease }
            let lease = state.nextLease
            state.leases[vm] = lease
            state.nextLease += 1
            record?.save(state)
            return lease
        }
    }
}
