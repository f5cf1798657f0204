import Foundation
public import XenBackend
import Synchronization

/// The embedded default hypervisor: domains held in memory, behaving as a real host does. Memory
/// is reserved at create and refused when it runs out, operations take (virtual) time, a guest
/// shuts down cleanly only if something in it hears the request, and every operation is a fault
/// point the simulation can fail.
public final class SimulatedHypervisor: Hypervisor {
    /// How long each operation takes on the simulated host.
    public struct Timings: Sendable {
        public var create: Duration = .milliseconds(50)
        public var build: Duration = .milliseconds(200)
        public var pauseOrUnpause: Duration = .milliseconds(5)
        public var destroy: Duration = .milliseconds(50)
        /// Writing or reading a suspend image (simulated guests are small and disks fast).
        public var saveOrRestore: Duration = .seconds(1)
        /// How long a guest takes to shut down once asked.
        public var guestShutdown: Duration = .seconds(2)
        /// Bytes a live migration sends per second (10 GbE, with the dirty pages sent again).
        public var migrationBandwidth: Int64 = 1_073_741_824

        /// How long a live migration of a guest of `memory` bytes takes.
        func migration(of memory: Int64) -> Duration {
            .milliseconds(memory * 1000 / max(migrationBandwidth, 1))
        }

        public init() {}
    }

    private struct Domain: Codable {
        var spec: DomainSpec
        var domid: Int64
        var state: DomainStat.State
        var shutdownRequested = false
        /// A created domain readied to take a live migration.
        var incoming = false
        var changed: Int64
        /// How many times the guest's disk writes were collected.
        var writesCollected: Int?
        /// Why the guest shut down, when it did so on its own.
        var exit: GuestExit?
        /// The files of disks whose I/O is held back, with how many pauses hold each (`pauseDisk`).
        var pausedDisks: [String: Int]?
    }

    private struct State: Codable {
        var domains: [String: Domain] = [:]
        var nextDomid: Int64 = 1
        var generation: Int64 = 0
    }

    /// The name migrations to this host are addressed by.
    public let identity: String
    private let totalMemory: Int64
    /// Memory the host keeps for itself (the control domain and the hypervisor).
    private let reservedMemory: Int64
    private let cpuCount: Int
    private let timings: Timings
    private let sleep: @Sendable (Duration) async throws -> Void
    private let fails: @Sendable (String) -> Bool
    private let fabric: SimulatedFabric
    private let record: StoredRecord<State>?
    private let state: Mutex<State>

    /// A host named `identity` with `totalMemory` bytes of which `reservedMemory` are its own,
    /// connected to `fabric`; `sleep` is the environment's (virtual in simulation), `fails` the
    /// fault oracle, asked before each step with its name (`create`, `build`, …). With a
    /// `storage`, the domains outlive the process, as a real hypervisor's outlive its toolstack:
    /// they are loaded from it and saved after each change.
    public init(
        identity: String, totalMemory: Int64, reservedMemory: Int64, cpuCount: Int, timings: Timings = Timings(),
        fabric: SimulatedFabric, sleep: @escaping @Sendable (Duration) async throws -> Void,
        fails: @escaping @Sendable (String) -> Bool = { _ in false }, storage: (any SimulationStorage)? = nil
    ) throws {
        record = storage.map { StoredRecord(storage: $0, name: "domains-" + identity) }
        state = Mutex(try record?.load() ?? State())
        self.identity = identity
        self.totalMemory = totalMemory
        self.reservedMemory = reservedMemory
        self.cpuCount = cpuCount
        self.timings = timings
        self.fabric = fabric
        self.sleep = sleep
        self.fails = fails
        fabric.attach(self, as: identity)
    }

    public func hostFacts() async throws(HypervisorError) -> HostFacts {
        HostFacts(totalMemory: totalMemory, freeMemory: state.withLock { freeMemory(in: $0) }, cpuCount: cpuCount)
    }

    /// What the host's own reservation and the domains leave.
    private func freeMemory(in state: State) -> Int64 {
        totalMemory - reservedMemory - state.domains.values.reduce(0) { $0 + $1.spec.memory }
    }

    public func create(_ spec: DomainSpec) async throws(HypervisorError) -> Int64 {
        try await step("create", timings.create)
        return try mutate { (state: inout State) throws(HypervisorError) -> Int64 in
            guard state.domains[spec.vm] == nil else { throw .domainExists(vm: spec.vm) }
            let available = freeMemory(in: state)
            guard spec.memory <= available else { throw .notEnoughMemory(needed: spec.memory, available: available) }
            let domid = state.nextDomid
            state.nextDomid += 1
            state.generation += 1
            state.domains[spec.vm] = Domain(spec: spec, domid: domid, state: .created, changed: state.generation)
            return domid
        }
    }

    public func build(_ vm: String) async throws(HypervisorError) {
        try await step("build", timings.build)
        try change(vm, "build") { domain throws(HypervisorError) in
            guard domain.state == .created else { throw .badState(vm: vm, operation: "build", state: domain.state) }
            domain.state = .paused
        }
    }

    public func pause(_ vm: String) async throws(HypervisorError) {
        try await step("pause", timings.pauseOrUnpause)
        try change(vm, "pause") { domain throws(HypervisorError) in
            guard domain.state == .running else { throw .badState(vm: vm, operation: "pause", state: domain.state) }
            domain.state = .paused
        }
    }

    public func unpause(_ vm: String) async throws(HypervisorError) {
        try await step("unpause", timings.pauseOrUnpause)
        try change(vm, "unpause") { domain throws(HypervisorError) in
            guard domain.state == .paused else {
                throw .badState(vm: vm, operation: "unpause", state: domain.state)
            }
            domain.state = .running
        }
    }

    public func requestShutdown(_ vm: String, reason: ShutdownReason) async throws(HypervisorError) -> Bool {
        try await step("request_shutdown", .zero)
        var heard = false
        try change(vm, "request_shutdown") { domain throws(HypervisorError) in
            guard domain.state == .running else {
                throw .badState(vm: vm, operation: "request_shutdown", state: domain.state)
            }
            heard = domain.spec.guestAgent
            if heard { domain.shutdownRequested = true }
        }
        return heard
    }

    public func waitShutdown(_ vm: String, timeout: Duration) async throws(HypervisorError) -> Bool {
        guard let requested = state.withLock({ $0.domains[vm]?.shutdownRequested }) else { throw .noSuchDomain(vm: vm) }
        guard requested else { return false }
        let done = timings.guestShutdown <= timeout
        try await step("wait_shutdown", done ? timings.guestShutdown : timeout)
        if done { try change(vm, "wait_shutdown") { $0.state = .shutdown } }
        return done
    }

    public func destroy(_ vm: String) async throws(HypervisorError) {
        try await step("destroy", timings.destroy)
        try mutate { (state: inout State) throws(HypervisorError) in
            guard state.domains.removeValue(forKey: vm) != nil else { throw .noSuchDomain(vm: vm) }
            state.generation += 1
        }
    }

    public func destroy(_ vm: String, ifStill expected: DomainStat.State) async throws(HypervisorError) -> Bool {
        try await step("destroy", timings.destroy)
        return try mutate { (state: inout State) throws(HypervisorError) -> Bool in
            guard let domain = state.domains[vm] else { throw .noSuchDomain(vm: vm) }
            guard domain.state == expected else { return false }
            state.domains[vm] = nil
            state.generation += 1
            return true
        }
    }

    public func rename(_ vm: String, to name: String) async throws(HypervisorError) {
        try await step("rename", .zero)
        try mutate { (state: inout State) throws(HypervisorError) in
            guard state.domains[name] == nil else { throw .domainExists(vm: name) }
            guard var domain = state.domains.removeValue(forKey: vm) else { throw .noSuchDomain(vm: vm) }
            state.generation += 1
            domain.changed = state.generation
            state.domains[name] = domain
        }
    }

    /// The simulated guest has no memory to write: its image is a token in the fabric (which
    /// every host of the simulated pool reaches), whatever disk stands for it.
    public func save(_ vm: String, to image: DiskImage?) async throws(HypervisorError) {
        try await step("save", timings.saveOrRestore)
        try change(vm, "save") { domain throws(HypervisorError) in
            guard domain.state == .running else { throw .badState(vm: vm, operation: "save", state: domain.state) }
            guard domain.spec.guestAgent else { throw .guestCannotCooperate(vm: vm, operation: "save") }
            try fabric.mutate { (shared: inout SimulatedFabric.State) throws(HypervisorError) in _ = shared.images.insert(vm) }
            domain.state = .shutdown
        }
    }

    public func restore(_ vm: String, from image: DiskImage?) async throws(HypervisorError) {
        try await step("restore", timings.saveOrRestore)
        try change(vm, "restore") { domain throws(HypervisorError) in
            guard domain.state == .created, !domain.incoming else {
                throw .badState(vm: vm, operation: "restore", state: domain.state)
            }
            try fabric.mutate { (shared: inout SimulatedFabric.State) throws(HypervisorError) in
                guard shared.images.remove(vm) != nil else { throw .noSavedImage(vm: vm) }
            }
            domain.state = .paused
        }
    }

    public func discardSavedImage(_ vm: String) async throws(HypervisorError) {
        try await step("discard_saved_image", .zero)
        try fabric.mutate { (shared: inout SimulatedFabric.State) throws(HypervisorError) in
            guard shared.images.remove(vm) != nil else { throw .noSavedImage(vm: vm) }
        }
    }

    public func hasSavedImage(_ vm: String) async -> Bool {
        fabric.read { $0.images.contains(vm) }
    }

    public func plug(_ vm: String, _ device: VirtualDevice, backing: DeviceBacking?) async throws(HypervisorError) {
        try await step("plug", timings.pauseOrUnpause)
        try change(vm, "plug") { domain throws(HypervisorError) in
            guard domain.state == .running else { throw .badState(vm: vm, operation: "plug", state: domain.state) }
            guard domain.spec.guestAgent else { throw .guestCannotCooperate(vm: vm, operation: "plug") }
            guard !Self.has(domain.spec, device) else { throw .deviceAlreadyAttached(vm: vm, device: device) }
            switch device {
            case .nic(let slot): domain.spec.nics = (domain.spec.nics + [slot]).sorted()
            case .disk(let slot): domain.spec.disks = (domain.spec.disks + [slot]).sorted()
            case .cd(let slot): domain.spec.media[slot] = .some(nil)
            }
        }
    }

    public func unplug(_ vm: String, _ device: VirtualDevice, force: Bool) async throws(HypervisorError) {
        try await step("unplug", timings.pauseOrUnpause)
        try change(vm, "unplug") { domain throws(HypervisorError) in
            guard domain.state == .running || domain.state == .paused else {
                throw .badState(vm: vm, operation: "unplug", state: domain.state)
            }
            guard force || domain.spec.guestAgent else { throw .guestCannotCooperate(vm: vm, operation: "unplug") }
            guard Self.has(domain.spec, device) else { throw .deviceNotAttached(vm: vm, device: device) }
            switch device {
            case .nic(let slot): domain.spec.nics.removeAll { $0 == slot }
            case .disk(let slot): domain.spec.disks.removeAll { $0 == slot }
            case .cd(let slot): domain.spec.media[slot] = nil
            }
        }
    }

    /// A simulated guest's disk I/O is the writes the toolstack collects: a paused disk's are
    /// held back (none is reported while any disk of the domain is paused); a domain not here
    /// has nothing to pause.
    public func pauseDisk(_ vm: String, path: String) async throws(HypervisorError) {
        try await step("pause_disk", timings.pauseOrUnpause)
        guard state.withLock({ $0.domains[vm] != nil }) else { return }
        try change(vm, "pause_disk") { domain throws(HypervisorError) in
            domain.pausedDisks = (domain.pausedDisks ?? [:]).merging([path: 1], uniquingKeysWith: +)
        }
    }

    /// Never fails: a paused disk must be given back to its guest (a domain gone meanwhile has
    /// nothing to give back).
    public func unpauseDisk(_ vm: String, path: String) async throws(HypervisorError) {
        _ = try? change(vm, "unpause_disk") { domain throws(HypervisorError) in
            guard let count = domain.pausedDisks?[path] else { return }
            domain.pausedDisks?[path] = count > 1 ? count - 1 : nil
            if domain.pausedDisks?.isEmpty == true { domain.pausedDisks = nil }
        }
    }

    public func changeMedia(_ vm: String, drive: Int, media: String?) async throws(HypervisorError) {
        try await step("change_media", timings.pauseOrUnpause)
        try change(vm, "change_media") { domain throws(HypervisorError) in
            guard Self.has(domain.spec, .cd(drive)) else { throw .deviceNotAttached(vm: vm, device: .cd(drive)) }
            domain.spec.media[drive] = .some(media)
        }
    }

    public func setMemoryTarget(_ vm: String, bytes: Int64) async throws(HypervisorError) -> Int64 {
        try await step("set_memory_target", timings.pauseOrUnpause)
        return try mutate { (state: inout State) throws(HypervisorError) -> Int64 in
            guard var domain = state.domains[vm] else { throw .noSuchDomain(vm: vm) }
            guard domain.state == .running || domain.state == .paused else {
                throw .badState(vm: vm, operation: "set_memory_target", state: domain.state)
            }
            let target = min(bytes, domain.spec.maxMemory ?? domain.spec.memory)
            let growth = target - domain.spec.memory
            let available = freeMemory(in: state)
            guard growth <= available else { throw .notEnoughMemory(needed: growth, available: available) }
            // The simulated guest's balloon driver does as it is told at once.
            if domain.spec.guestAgent { domain.spec.memory = target }
            state.generation += 1
            domain.changed = state.generation
            state.domains[vm] = domain
            return domain.spec.memory
        }
    }

    public func setVCPUs(_ vm: String, count: Int64) async throws(HypervisorError) {
        try await step("set_vcpus", timings.pauseOrUnpause)
        try change(vm, "set_vcpus") { domain throws(HypervisorError) in
            guard domain.state == .running else { throw .badState(vm: vm, operation: "set_vcpus", state: domain.state) }
            guard domain.spec.guestAgent else { throw .guestCannotCooperate(vm: vm, operation: "set_vcpus") }
            guard count >= 1, count <= domain.spec.maxVCPUs ?? domain.spec.vcpus else {
                throw .notSupported(operation: "give the domain \(count) VCPUs")
            }
            domain.spec.vcpus = count
        }
    }

    private static func has(_ spec: DomainSpec, _ device: VirtualDevice) -> Bool {
        switch device {
        case .nic(let slot): spec.nics.contains(slot)
        case .disk(let slot): spec.disks.contains(slot)
        case .cd(let slot): spec.media.keys.contains(slot)
        }
    }

    public func receiveMigration(_ vm: String) async throws(HypervisorError) -> MigrationEndpoint {
        try await step("receive_migration", .zero)
        // The endpoint names this domain (by its id): a send meant for an earlier domain of the
        // VM here (one a crashed toolstack readied) cannot land in this one.
        let domid = try change(vm, "receive_migration") { domain throws(HypervisorError) -> Int64 in
            guard domain.state == .created, !domain.incoming else {
                throw .badState(vm: vm, operation: "receive_migration", state: domain.state)
            }
            domain.incoming = true
            return domain.domid
        }
        return MigrationEndpoint(url: "simulated://\(identity)/\(vm)/\(domid)")
    }

    public func sendMigration(_ vm: String, to endpoint: MigrationEndpoint) async throws(HypervisorError) {
        guard let memory = state.withLock({ $0.domains[vm]?.spec.memory }) else { throw .noSuchDomain(vm: vm) }
        try await step("send_migration", timings.migration(of: memory))
        // Never two hosts' locks at once: two migrations crossing each other would deadlock.
        let domain = state.withLock { $0.domains[vm] }
        guard let domain else { throw .noSuchDomain(vm: vm) }
        guard domain.state == .running else { throw .badState(vm: vm, operation: "send_migration", state: domain.state) }
        guard domain.spec.guestAgent else { throw .guestCannotCooperate(vm: vm, operation: "migrate") }
        // The endpoint names the VM (a departing domain set aside on the same host has another name).
        let parts = endpoint.url.split(separator: "/")
        guard endpoint.url.hasPrefix("simulated://"), parts.count == 4, parts[2] == domain.spec.vm,
            let receiver = fabric.host(String(parts[1])), receiver !== self || vm != domain.spec.vm
        else { throw .noMigrationReceiver(endpoint: endpoint.url) }
        try receiver.acceptMigration(domain.spec.vm, endpoint: endpoint)
        try change(vm, "send_migration") { $0.state = .shutdown }
    }

    /// The guest arrives: the domain readied for it now holds it, paused.
    private func acceptMigration(_ vm: String, endpoint: MigrationEndpoint) throws(HypervisorError) {
        try change(vm, "accept_migration") { domain throws(HypervisorError) in
            guard domain.state == .created, domain.incoming, endpoint.url.hasSuffix("/\(domain.domid)") else {
                throw .noMigrationReceiver(endpoint: endpoint.url)
            }
            domain.incoming = false
            domain.state = .paused
        }
    }

    public func stat(_ vm: String) async -> DomainStat? {
        state.withLock { state in
            state.domains[vm].map {
                DomainStat(spec: $0.spec, domid: $0.domid, state: $0.state, guest: guestReport($0), exit: $0.exit)
            }
        }
    }

    /// A running guest writes one to four runs of 4 to 64 KiB to each disk between two
    /// collections, at places its uuid and the collection's number decide (so the same seed
    /// gives the same disks).
    public func guestDiskWrites(_ vm: String) async -> [GuestDiskWrite] {
        let collected: (Int, [Int])? = try? mutate { (state: inout State) throws(HypervisorError) -> (Int, [Int])? in
            guard var domain = state.domains[vm], domain.state == .running, !domain.spec.disks.isEmpty, domain.pausedDisks == nil
            else { return nil }
            let count = domain.writesCollected ?? 0
            domain.writesCollected = count + 1
            state.domains[vm] = domain
            return (count, domain.spec.disks)
        } ?? nil
        guard let (count, disks) = collected else { return [] }
        var seed = vm.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 } ^ UInt64(count)
        func next() -> UInt64 {
            seed &+= 0x9E37_79B9_7F4A_7C15
            var mixed = seed
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }
        return disks.flatMap { disk in
            (0...(next() % 4)).map { _ in
                GuestDiskWrite(disk: disk, position: next(), length: Int(1 + next() % 16) * 4096, seed: next())
            }
        }
    }

    public func updates(since generation: Int64) async -> (generation: Int64, changed: [String]) {
        state.withLock { state in
            (state.generation, state.domains.filter { $0.value.changed > generation }.map(\.key).sorted())
        }
    }

    /// The guest of a running domain powers off, reboots or crashes on its own (fault
    /// injection): its domain is left shut down, saying why.
    public func guestExits(_ vm: String, _ exit: GuestExit) throws(HypervisorError) {
        try change(vm, "guest_exit") { domain throws(HypervisorError) in
            guard domain.state == .running else { throw .badState(vm: vm, operation: "guest_exit", state: domain.state) }
            domain.state = .shutdown
            domain.exit = exit
        }
    }

    /// The machine loses power and starts again (fault injection): every domain is gone, while
    /// suspend images, on the shared storage, stay.
    public func powerCycle() {
        state.withLock { state in
            state.domains = [:]
            state.generation += 1
            record?.save(state)
        }
    }

    /// Changes the state and, with a store, saves it before anyone sees the change. A state
    /// that cannot be saved is still applied (the domains do exist); it is saved with the next.
    private func mutate<T>(_ body: (inout State) throws(HypervisorError) -> T) throws(HypervisorError) -> T {
        try state.withLock { (state: inout State) throws(HypervisorError) -> T in
            let result = try body(&state)
            record?.save(state)
            return result
        }
    }

    /// What the simulated agent of a running guest reports: an address per interface from the
    /// guest's lease, the same across reboots and migrations, in 198.18.0.0/15 (the range set
    /// aside for benchmarks, so never a real host).
    private func guestReport(_ domain: Domain) -> GuestReport? {
        guard domain.state == .running, domain.spec.guestAgent else { return nil }
        let lease = fabric.lease(for: domain.spec.vm)
        var networks: [String: String] = [:]
        for device in domain.spec.nics {
            let address = lease * 16 + device
            networks["\(device)/ip"] = "198.\(18 + address / 65_536 % 2).\(address / 256 % 256).\(address % 256)"
        }
        return GuestReport(
            networks: networks,
            osVersion: ["name": "Simulated Linux", "distro": "simulated", "major": "1", "minor": "0", "uname": "6.1.0-sim"],
            pvDriversVersion: ["major": "9", "minor": "4", "micro": "0", "build": "1"])
    }

    /// Takes the step's time, failing first if the fault oracle says so.
    private func step(_ name: String, _ duration: Duration) async throws(HypervisorError) {
        if fails(name) { throw .injectedFault(step: name) }
        if duration > .zero {
            do { try await sleep(duration) } catch { throw .cancelled(step: name) }
        }
    }

    @discardableResult
    private func change<T>(_ vm: String, _ operation: String, _ body: (inout Domain) throws(HypervisorError) -> T)
        throws(HypervisorError) -> T
    {
        try mutate { (state: inout State) throws(HypervisorError) -> T in
            guard var domain = state.domains[vm] else { throw .noSuchDomain(vm: vm) }
            let result = try body(&domain)
            state.generation += 1
            domain.changed = state.generation
            state.domains[vm] = domain
            return result
        }
    }
}
