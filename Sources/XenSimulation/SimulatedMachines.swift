public import XenBackend
import struct Foundation.Data

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
    /// The machines that joined from other pools.
    private let admitted: StoredRecord<[AdmittedMachine]>?
    /// What a machine that joins is made with.
    private let maker: Maker

    /// A machine that joined from another pool: its description (without its software, which
    /// its package database keeps) and its own toolstack's contact.
    struct AdmittedMachine: Codable {
        var description: MachineDescription
        var contact: ToolstackContact?
    }

    /// What every machine of the rack shares.
    private struct Maker: Sendable {
        let timings: SimulatedHypervisor.Timings
        let fabric: SimulatedFabric
        let sources: Sources
        let fails: @Sendable (String) -> Bool
        let storage: (any SimulationStorage)?

        func machine(_ inventory: HostInventory, memory: Int64, reserved: Int64, cpus: Int, packages name: String) throws
            -> (HostMachine, SimulatedHypervisor)
        {
            let hypervisor = try SimulatedHypervisor(
                identity: inventory.uuid, totalMemory: memory, reservedMemory: reserved, cpuCount: cpus, timings: timings,
                fabric: fabric, sleep: sources.sleep, fails: fails, storage: storage)
            let packages = try SimulatedPackageDatabase(storage: storage, name: name, fails: fails)
            return (HostMachine(inventory: inventory, hypervisor: hypervisor, packages: packages), hypervisor)
        }
    }

    /// `count` hosts named after `hostname` (the first keeps the name, the others get `-2`,
    /// `-3`…), the first at `address`, the others at addresses of the documentation range
    /// 198.51.100.0/24 (they serve nothing); `fails` is the fault oracle of every hypervisor.
    public init(
        count: Int, hostname: String, address: String, shape: HostShape, sources: Sources,
        fails: @escaping @Sendable (String) -> Bool = { _ in false }, storage: (any SimulationStorage)? = nil
    ) throws {
        fabric = try SimulatedFabric(storage: storage)
        retired = storage.map { StoredRecord(storage: $0, name: "retired-machines") }
        admitted = storage.map { StoredRecord(storage: $0, name: "admitted-machines") }
        maker = Maker(timings: shape.timings, fabric: fabric, sources: sources, fails: fails, storage: storage)
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
            let (machine, hypervisor) = try maker.machine(
                inventory, memory: shape.memory, reserved: shape.reservedMemory, cpus: shape.cpuCount, packages: "packages-\(index)")
            machines.append(machine)
            hypervisors.append(hypervisor)
        }
        for joined in try admitted?.load() ?? [] where !gone.contains(joined.description.inventory.uuid) {
            let description = joined.description
            let (machine, hypervisor) = try maker.machine(
                description.inventory, memory: description.memory, reserved: description.reservedMemory,
                cpus: description.cpuCount, packages: "packages-" + description.inventory.uuid)
            machines.append(machine)
            hypervisors.append(hypervisor)
        }
        self.machines = machines
        self.hypervisors = hypervisors
    }

    public func retire(_ uuid: String) throws -> ToolstackContact? {
        guard let retired else { return nil }
        var gone = try retired.load() ?? []
        if !gone.contains(uuid) { gone.append(uuid) }
        try retired.write(gone)
        return try admitted?.load()?.first { $0.description.inventory.uuid == uuid }?.contact
    }

    public func describe(_ uuid: String) async throws -> MachineDescription {
        guard let machine = machines.first(where: { $0.inventory.uuid == uuid }),
            let packages = machine.packages as? SimulatedPackageDatabase
        else { throw SimulatedMachineError.unknownMachine(uuid) }
        let facts = try await machine.hypervisor.hostFacts()
        return MachineDescription(
            inventory: machine.inventory, memory: facts.totalMemory, reservedMemory: facts.totalMemory - facts.freeMemory,
            cpuCount: facts.cpuCount, software: Data(try await packages.exported()).base64EncodedString())
    }

    public func admit(_ description: MachineDescription, contact: ToolstackContact?) async throws -> HostMachine {
        guard let software = Data(base64Encoded: description.software) else { throw SimulatedMachineError.badSoftware }
        // Without storage of its own the machine's software is kept beside it in memory.
        let storage = maker.storage ?? MemorySimulationStorage()
        let name = "packages-" + description.inventory.uuid
        try storage.save(name, [UInt8](software))
        var kept = description
        kept.software = ""
        if let admitted {
            var all = try admitted.load() ?? []
            all.removeAll { $0.description.inventory.uuid == description.inventory.uuid }
            all.append(AdmittedMachine(description: kept, contact: contact))
            try admitted.write(all)
        }
        let maker = Maker(timings: maker.timings, fabric: maker.fabric, sources: maker.sources, fails: maker.fails, storage: storage)
        return try maker.machine(
            description.inventory, memory: description.memory, reserved: description.reservedMemory, cpus: description.cpuCount,
            packages: name
        ).0
    }

    /// A machine never started before: a fresh uuid and a locally administered unicast MAC.
    private static func newInventory(_ sources: Sources) -> HostInventory {
        var mac = sources.randomBytes(6)
        mac[0] = (mac[0] | 0x02) & 0xFE
        let text = mac.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined(separator: ":")
        return HostInventory(uuid: sources.makeUUID(), hostname: "", address: "", managementMAC: text)
    }
}

/// Why the simulated rack could not describe or take in a machine.
enum SimulatedMachineError: Error {
    case unknownMachine(String)
    case badSoftware
}
