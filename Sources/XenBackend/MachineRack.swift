/// What a pool needs to run a machine that joins it from another pool: the machine's identity
/// and shape, and its installed software in the backend's own encoding.
public struct MachineDescription: Codable, Sendable, Equatable {
    public var inventory: HostInventory
    /// The machine's memory, and what its control domain and hypervisor keep of it.
    public var memory: Int64
    public var reservedMemory: Int64
    public var cpuCount: Int
    /// The machine's installed software as its package database keeps it (base64).
    public var software: String

    public init(inventory: HostInventory, memory: Int64, reservedMemory: Int64, cpuCount: Int, software: String) {
        self.inventory = inventory
        self.memory = memory
        self.reservedMemory = reservedMemory
        self.cpuCount = cpuCount
        self.software = software
    }
}

/// Where a pool's machines stand: those present when the toolstack starts, those that join it
/// and what becomes of a machine whose host leaves. The simulator's rack runs a joining host's
/// machine from then on and forgets an ejected one for good, as a real ejected host is wiped and
/// starts again as a pool of its own.
public protocol MachineRack: Sendable {
    /// Takes the machine with this inventory uuid out of the rack: it no longer starts with the
    /// toolstack, and what it kept (domains, packages) is gone.
    /// Returns the contact of the machine's own toolstack when it joined from another pool.
    func retire(_ uuid: String) throws -> ToolstackContact?
    /// One of the rack's machines described for another pool to run it.
    func describe(_ uuid: String) async throws -> MachineDescription
    /// Takes in a machine joining from another pool; it starts with the toolstack from now on.
    func admit(_ description: MachineDescription, contact: ToolstackContact?) async throws -> HostMachine
}

/// Where the toolstack of a machine that joined from another pool listens, and the secret it
/// accepts when told that its host was ejected.
public struct ToolstackContact: Codable, Sendable, Equatable {
    public var address: String
    public var secret: String

    public init(address: String, secret: String) {
        self.address = address
        self.secret = secret
    }
}
