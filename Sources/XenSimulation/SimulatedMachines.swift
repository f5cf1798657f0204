public import XenBackend

/// The machines of a simulated pool: hosts with their inventories and hypervisors, joined by one
/// fabric. A host's inventory (its uuid and hardware addresses) is made on its first start and
/// kept in the storage with its domains, so it is the same machine after a restart.
///
/// A machine whose host is ejected is retired: it is left out at every later start.
public struct SimulatedMachines: MachineRack {
    /// What every simulated host has.
    public struct HostShape: Sendable {
        public var memory: Int64
        /// Memory each host keeps for its control domain and the hypervisor.
        public var reservedMemory: Int64
        public var cpuCount: Int
        public var timings: SimulatedHypervisor.Timings

        /// By default a host as XenServer's are commonly sized: 64 GiB, 4 GiB of it the control
        /// domain's, and 8 CPUs.
        public init(
            memory: Int64 = 68_719_476_736, reservedMemory: Int64 = 4_294_967_296, cpuCount: Int = 8,
            timings: SimulatedHypervisor.Timings = .init()
        ) {
            self.memory = memory
            self.reservedMemory = reservedMemory
            self.cpuCount = cpuCount
            self.timings = timings
        }
    }

    /// Where the machines' randomness and time come from (the toolstack's environment).
    public struct Sources: Sendable {
        public var sleep: @Sendable (Duration) async throws -> Void
        public var makeUUID: @Sendable () -> String
        public var randomBytes: @Sendable (Int) -> [UInt8]

        public init(
            sleep: @escaping @Sendable (Duration) async throws -> Void, makeUUID: @escaping @Sendable () -> String,
            randomBytes: @escaping @Sendable (Int) -> [UInt8]
        ) {
            self.sleep = sleep
            self.makeUUID = makeUUID
            self.randomBytes = randomBytes
        }
    }

    public let machines: [HostMachine]
    public let hypervisors: [SimulatedHypervisor]
    public let fabric: SimulatedFabric
    /// The inventory uuids of the retired machines.
    private let retired: StoredRecord<[String]>?

    /// `count` hosts named after `hostname` (the first keeps the name, the others get `-2`,
    /// `-3`…), the first at `address`, the others at addresses of the documentation range
    /// 198.51.100.0/24 (they serve nothing); `fails` is the fault oracle of every hypervisor.
    public init(
        count: Int, hostname: String, address: String, shape: HostShape, sources: Sources,
        fails: @escaping @Sendable (String) -> Bool = { _ in false }, storage: (any SimulationStorage)? = nil
    ) throws {
        fabric = try SimulatedFabric(storage: storage)
        retired = storage.map { StoredRecord(storage: $0, name: "retired-machines") }
        let gone = Set(try retired?.load() ?? [])
        var machines: [HostMachine] = []
        var hypervisors: [SimulatedHypervisor] = []
        for index in 1...max(count, 1) {
            let record = storage.map { StoredRecord<HostInventory>(storage: $0, name: "inventory-\(index)") }
            var inventory = try record?.load() ?? Self.newInventory(sources)
            guard !gone.contains(inventory.uuid) else { continue }
            inventory.hostname = index == 1 ? hostname : "\(hostname)-\(index)"
            inventory.address = index == 1 ? address : "198.51.100.\(index)"
            record?.save(inventory)
            let hypervisor = try SimulatedHypervisor(
                identity: inventory.uuid, totalMemory: shape.memory, reservedMemory: shape.reservedMemory,
                cpuCount: shape.cpuCount, timings: shape.timings, fabric: fabric, sleep: sources.sleep, fails: fails,
                storage: storage)
            let packages = try SimulatedPackageDatabase(storage: storage, name: "packages-\(index)", fails: fails)
            machines.append(HostMachine(inventory: inventory, hypervisor: hypervisor, packages: packages))
            hypervisors.append(hypervisor)
        }
        self.machines = machines
        self.hypervisors = hypervisors
    }

    public func retire(_ uuid: String) throws {
        guard let retired else { return }
        var gone = try retired.load() ?? []
        if !gone.contains(uuid) { gone.append(uuid) }
        try retired.write(gone)
    }

    /// A machine never started before: a fresh uuid and a locally administered unicast MAC.
    private static func newInventory(_ sources: Sources) -> HostInventory {
        var mac = sources.randomBytes(6)
        mac[0] = (mac[0] | 0x02) & 0xFE
        let text = mac.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined(separator: ":")
        return HostInventory(uuid: sources.makeUUID(), hostname: "", address: "", managementMAC: text)
    }
}
