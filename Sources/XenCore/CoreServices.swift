import XenAPI
public import XenBackend
public import XenDB
import XenRPC
import Synchronization

/// What message implementations share: the database, the environment, the configuration and
/// the in-memory registries that are not database state (event queues, task control).
public final class CoreServices: Sendable {
    public let database: PoolDatabase
    public let environment: Environment
    public let configuration: ToolstackConfiguration
    public let credentials: CredentialStore
    /// The pool's machines: each host's inventory and hypervisor. A machine leaves when its host
    /// is ejected.
    public var machines: [HostMachine] { roster.withLock { $0 } }
    /// Where the machines stand; `nil` when none may leave or join (real machines, or a test's
    /// fixed set).
    let rack: (any MachineRack)?
    /// Calls to other pools' toolstacks (pool.join, and telling an ejected member); `nil` when
    /// this toolstack reaches none.
    let peers: (any PoolPeers)?
    /// Whether this toolstack runs its own pool or is a member of another's.
    public let role: PoolRole
    private let roster: Mutex<[HostMachine]>
    /// The folder holding the hosts' local SRs (one folder per SR uuid) and the mount points of
    /// share SRs.
    public let storageRoot: String
    /// How update repositories are reached and trusted.
    public let updates: UpdateSettings
    let eventQueues = EventQueues()
    let taskControl = TaskControl()
    let updateSchedule = UpdateSyncSchedule()
    let rollingDrivers = RollingDrivers()

    public init(
        database: PoolDatabase, environment: Environment, configuration: ToolstackConfiguration,
        credentials: CredentialStore, machines: [HostMachine], rack: (any MachineRack)? = nil,
        peers: (any PoolPeers)? = nil, role: PoolRole = .standalone(), storageRoot: String, updates: UpdateSettings? = nil
    ) {
        self.storageRoot = storageRoot
        self.updates = updates ?? .local(root: storageRoot)
        self.database = database
        self.environment = environment
        self.configuration = configuration
        self.credentials = credentials
        self.rack = rack
        self.peers = peers
        self.role = role
        roster = Mutex(machines)
    }

    /// The machine with this inventory uuid, if it is one of the pool's.
    func machine(_ uuid: String) -> HostMachine? {
        roster.withLock { machines in machines.first { $0.inventory.uuid == uuid } }
    }

    /// A machine that joined the pool from another.
    func addMachine(_ machine: HostMachine) {
        roster.withLock { machines in
            machines.removeAll { $0.inventory.uuid == machine.inventory.uuid }
            machines.append(machine)
        }
    }

    /// Takes a machine out of the pool (its host was ejected): the rack forgets it for good.
    /// Returns the contact of the machine's own toolstack when it joined from another pool.
    func retireMachine(_ uuid: String) throws(XenAPIError) -> ToolstackContact? {
        guard let rack else {
            throw XenAPIError.operationNotAllowed(reason: "This toolstack's machines cannot leave the pool")
        }
        let contact: ToolstackContact?
        do {
            contact = try rack.retire(uuid)
        } catch {
            throw XenAPIError.internalError(message: "The machine \(uuid) could not be retired: \(error)")
        }
        roster.withLock { machines in machines.removeAll { $0.inventory.uuid == uuid } }
        return contact
    }

    /// A fresh `OpaqueRef:<uuid>` for a new object of class `T`.
    func makeRef<T: XenClass>(_ type: T.Type = T.self) -> Ref<T> { Ref(makeOpaqueRef()) }

    /// A fresh `OpaqueRef:<uuid>`, for code that handles objects of any class.
    func makeOpaqueRef() -> String { "OpaqueRef:" + environment.makeUUID() }

    /// The hypervisor the host runs its VMs on, or `HOST_OFFLINE` for a host without a machine here.
    func hypervisor(of host: Ref<Host>, in snapshot: Snapshot) throws(XenAPIError) -> any Hypervisor {
        guard let uuid = snapshot[host]?.uuid, let machine = machine(uuid) else {
            throw XenAPIError.hostOffline(host: host.rawValue)
        }
        return machine.hypervisor
    }

    /// The package database of the host's machine.
    func packages(of host: Ref<Host>, in snapshot: Snapshot) throws(XenAPIError) -> any PackageDatabase {
        guard let uuid = snapshot[host]?.uuid, let machine = machine(uuid) else {
            throw XenAPIError.hostOffline(host: host.rawValue)
        }
        return machine.packages
    }

    /// The hypervisor's view of the host's resources.
    func hostFacts(of host: Ref<Host>) async throws(XenAPIError) -> HostFacts {
        let hypervisor = try hypervisor(of: host, in: database.snapshot)
        do throws(HypervisorError) {
            return try await hypervisor.hostFacts()
        } catch {
            throw PlanExecution.apiError(error)
        }
    }

    /// Now, as a datamodel datetime.
    func now() -> DateTime { DateTime(secondsSinceEpoch: environment.wallClockSeconds()) }

    /// The host this toolstack runs as: the pool's coordinator.
    func localHost(_ snapshot: Snapshot) -> Ref<Host> {
        snapshot.objects(Pool.self).first?.master ?? .null
    }
}
