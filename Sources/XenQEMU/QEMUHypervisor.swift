import Foundation
import XenBackend
import XenStorage

#if canImport(Glibc)
    import Glibc
#endif

/// The `Hypervisor` of a machine whose VMs are QEMU processes, one per running VM, each in a
/// session of its own with QMP and the guest agent on Unix sockets in its run folder. QEMU's
/// events and the agent's answers become the domains' state; a process that dies takes its
/// domain with it; after a restart the processes still running are adopted again.
///
/// A created domain is a reservation (memory and a domain id); its process starts when the
/// domain is built (a fresh boot), restored (from a saved image) or readied for a migration,
/// since QEMU must know at start whether it waits for an incoming guest.
public actor QEMUHypervisor: Hypervisor {
    /// How the hypervisor runs work that outlives a call: the environment's background queue.
    public struct Work: Sendable {
        public var submit: @Sendable (@escaping @Sendable () async -> Void) -> Bool
        public var isFinishing: @Sendable () -> Bool
        public var sleep: @Sendable (Duration) async throws -> Void
        /// Monotonic time since an arbitrary origin (what deadlines are measured with).
        public var now: @Sendable () -> Duration

        public init(
            submit: @escaping @Sendable (@escaping @Sendable () async -> Void) -> Bool,
            isFinishing: @escaping @Sendable () -> Bool, sleep: @escaping @Sendable (Duration) async throws -> Void,
            now: @escaping @Sendable () -> Duration
        ) {
            self.submit = submit
            self.isFinishing = isFinishing
            self.sleep = sleep
            self.now = now
        }
    }

    /// A domain: its reservation, and its process once it has one.
    struct Domain {
        var spec: DomainSpec
        var domid: Int64
        var state: DomainStat.State
        var guest: GuestReport?
        var process: RunningProcess?
        /// Why the guest shut down, when it did so on its own.
        var exit: GuestExit?

        var identity: (spec: DomainSpec, domid: Int64) { (spec, domid) }
    }

    /// A domain's QEMU process and the connections to it.
    struct RunningProcess {
        var record: QEMURunRecord
        var qmp: QMPClient
        var agent: GuestAgentClient?
        var files: QEMURunFiles
        /// Its disks, by slot (with the NBD server of each VHD).
        var disks: [Int: AttachedDisk] = [:]
        /// The devices QEMU has said are gone (`DEVICE_DELETED`) since they were unplugged.
        var deletedDevices: Set<String> = []
        /// The state of the process's latest migration stream, in or out, as QEMU's `MIGRATION`
        /// events give it (`setup`, `active`, `completed`, `failed`…); `nil` before one.
        var migration: String?
    }

    let settings: QEMUHostSettings
    let work: Work
    /// The bridges of internal networks and the taps on them.
    let bridges: HostBridges
    private let resources: (memory: Int64, cpus: Int)
    /// The domains by name: the VM's uuid, or the name a departing domain was set aside under.
    var domains: [String: Domain] = [:]
    private var nextDomid: Int64 = 1
    private var generation: Int64 = 0
    private var changedAt: [String: Int64] = [:]
    var agentTokens: Int64 = 1
    /// The VHDs open for guests, by path: the two ends of a migration share one, so their
    /// writes never interleave.
    var openDisks: [String: OpenDisk] = [:]

    /// A hypervisor over `settings`; `start` adopts the QEMU processes a previous run left.
    public init(settings: QEMUHostSettings, work: Work) {
        self.settings = settings
        self.work = work
        bridges = HostBridges(namespace: settings.networkNamespace)
        resources = QEMUHostSettings.machineResources()
    }

    /// Adopts the QEMU processes still running from an earlier `xapid` (each checked against its
    /// recorded command line), removes the run folders of those gone, and starts watching.
    public func start() async {
        try? FileManager.default.createDirectory(atPath: settings.runRoot, withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(atPath: settings.savedImageRoot, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: settings.runRoot)) ?? [] {
            let files = QEMURunFiles(folder: settings.runRoot + "/" + name)
            guard let data = FileManager.default.contents(atPath: files.machine),
                let record = try? JSONDecoder().decode(QEMURunRecord.self, from: data)
            else {
                try? FileManager.default.removeItem(atPath: files.folder)
                continue
            }
            let process = QEMUProcess(pid: record.pid)
            guard process.isRunning, process.commandLine == [settings.program] + record.arguments,
                let qmp = try? await QMPClient.connect(path: files.qmp, sleep: work.sleep, timeout: .seconds(5))
            else {
                process.send(SIGKILL)
                releaseTaps(of: record.spec, domid: record.domid)
                try? FileManager.default.removeItem(atPath: files.folder)
                continue
            }
            let state = (try? await qmp.status()).map { Self.state(ofStatus: $0, built: record.built) } ?? .shutdown
            // A stream under way goes on being followed by its events; one already over counts.
            let migration = try? await qmp.execute("query-migrate")["status"]?.stringValue
            domains[record.name] = Domain(
                spec: record.spec, domid: record.domid, state: state,
                process: RunningProcess(record: record, qmp: qmp, files: files, migration: migration))
            nextDomid = max(nextDomid, record.domid + 1)
            watchEvents(domid: record.domid, qmp: qmp)
            touch(record.name)
        }
        _ = work.submit { [weak self] in await self?.superviseAgents() }
    }

    public func hostFacts() async throws(HypervisorError) -> HostFacts {
        HostFacts(totalMemory: resources.memory, freeMemory: freeMemory, cpuCount: resources.cpus)
    }

    var freeMemory: Int64 {
        resources.memory - settings.reservedMemory - domains.values.reduce(0) { $0 + $1.spec.memory + settings.overheadPerVM }
    }

    public func create(_ spec: DomainSpec) async throws(HypervisorError) -> Int64 {
        guard domains[spec.vm] == nil else { throw .domainExists(vm: spec.vm) }
        let needed = spec.memory + settings.overheadPerVM
        guard needed <= freeMemory else { throw .notEnoughMemory(needed: needed, available: max(0, freeMemory)) }
        let domid = nextDomid
        nextDomid += 1
        domains[spec.vm] = Domain(spec: spec, domid: domid, state: .created)
        touch(spec.vm)
        return domid
    }

    public func build(_ vm: String) async throws(HypervisorError) {
        let domain = try require(vm)
        guard domain.state == .created, domain.process == nil else {
            throw .badState(vm: vm, operation: "build", state: domain.state)
        }
        try await launch(vm, incoming: false)
        // A guest that boots below its most memory starts with the balloon holding the rest back.
        if let process = domains[vm]?.process, Self.guestRAM(of: domain.spec) - domain.spec.memory >= Self.balloonSlack {
            do throws(HypervisorError) {
                try await balloon(process.qmp, to: domain.spec.memory)
            } catch {
                await remove(vm, quitting: true)
                throw error
            }
        }
        domains[vm]?.state = .paused
        domains[vm]?.process?.record.built = true
        writeRunRecord(vm)
        touch(vm)
    }

    public func pause(_ vm: String) async throws(HypervisorError) {
        let domain = try require(vm)
        guard domain.state == .running else { throw .badState(vm: vm, operation: "pause", state: domain.state) }
        try await command(vm, "stop")
        domains[vm]?.state = .paused
        touch(vm)
    }

    public func unpause(_ vm: String) async throws(HypervisorError) {
        var domain = try require(vm)
        // A domain readied for a migration the sender has finished may still be taking in the
        // last of the guest, before QEMU's event says it has arrived.
        if domain.state == .created, domain.process?.record.built == false, domain.process != nil {
            try await waitForArrival(of: vm, step: "unpause")
            arrived(vm)
            domain = try require(vm)
        }
        guard domain.state == .paused else { throw .badState(vm: vm, operation: "unpause", state: domain.state) }
        try await command(vm, "cont")
        domains[vm]?.state = .running
        touch(vm)
    }

    public func requestShutdown(_ vm: String, reason: ShutdownReason) async throws(HypervisorError) -> Bool {
        let domain = try require(vm)
        guard domain.state == .running else { throw .badState(vm: vm, operation: "shutdown", state: domain.state) }
        switch reason {
        case .poweroff, .reboot:
            if let agent = domain.process?.agent, (try? agent.requestShutdown(mode: reason == .reboot ? "reboot" : "powerdown")) != nil {
                return true
            }
            // Without the agent only the ACPI power button is left, and it cannot ask for a reboot.
            guard reason == .poweroff else { return false }
            try await command(vm, "system_powerdown")
            return true
        case .suspend:
            return false
        }
    }

    public func waitShutdown(_ vm: String, timeout: Duration) async throws(HypervisorError) -> Bool {
        try await poll(every: .milliseconds(20), within: timeout, step: "waitShutdown") { () throws(HypervisorError) -> Bool in
            domains[vm].map { $0.state == .shutdown } ?? true
        }
    }

    public func destroy(_ vm: String) async throws(HypervisorError) {
        _ = try require(vm)
        await remove(vm, quitting: true)
    }

    public func destroy(_ vm: String, ifStill state: DomainStat.State) async throws(HypervisorError) -> Bool {
        guard domains[vm]?.state == state else { return false }
        await remove(vm, quitting: true)
        return true
    }

    public func rename(_ vm: String, to name: String) async throws(HypervisorError) {
        _ = try require(vm)
        guard domains[name] == nil else { throw .domainExists(vm: name) }
        // The run folder stays: QEMU removes its sockets and pidfile by the paths it was given.
        domains[name] = domains.removeValue(forKey: vm)
        domains[name]?.process?.record.name = name
        writeRunRecord(name)
        touch(vm)
        touch(name)
    }

    public func plug(_ vm: String, _ device: VirtualDevice, backing: DeviceBacking?) async throws(HypervisorError) {
        let domain = try require(vm)
        guard domain.state == .running, let qmp = domain.process?.qmp else {
            throw .badState(vm: vm, operation: "plug", state: domain.state)
        }
        switch device {
        case .nic(let number):
            guard !domain.spec.nics.contains(number) else { throw .deviceAlreadyAttached(vm: vm, device: device) }
            var (mac, network) = (domain.spec.macs?[number], domain.spec.networks?[number])
            if case .nic(let givenMAC, let givenNetwork)? = backing { (mac, network) = (givenMAC, givenNetwork) }
            try await addNIC(number, mac: mac, network: network, domid: domain.domid, to: qmp)
            domains[vm]?.spec.nics = (domain.spec.nics + [number]).sorted()
            if let mac { domains[vm]?.spec.macs = (domain.spec.macs ?? [:]).merging([number: mac]) { $1 } }
            domains[vm]?.spec.networks?[number] = network
        case .disk(let slot):
            guard domain.process?.disks[slot] == nil, !domain.spec.disks.contains(slot) else {
                throw .deviceAlreadyAttached(vm: vm, device: device)
            }
            guard case .disk(let image)? = backing else { throw .notSupported(operation: "plug a disk whose file is not on this host") }
            try await attachDisk(image, slot: slot, to: vm)
            domains[vm]?.spec.disks = (domain.spec.disks + [slot]).sorted()
            domains[vm]?.spec.diskImages = (domain.spec.diskImages ?? [:]).merging([slot: image]) { $1 }
        case .cd:
            // The CD drives are the machine's IDE drives, fixed when it starts.
            throw .notSupported(operation: "hot-plug a CD drive")
        }
        writeRunRecord(vm)
        touch(vm)
    }

    public func unplug(_ vm: String, _ device: VirtualDevice, force: Bool) async throws(HypervisorError) {
        let domain = try require(vm)
        guard let qmp = domain.process?.qmp else { throw .badState(vm: vm, operation: "unplug", state: domain.state) }
        let id: String
        switch device {
        case .nic(let number):
            guard domain.spec.nics.contains(number) else { throw .deviceNotAttached(vm: vm, device: device) }
            id = "vif\(number)"
        case .disk(let slot):
            guard domain.process?.disks[slot] != nil else { throw .deviceNotAttached(vm: vm, device: device) }
            id = QEMUCommandLine.diskDevice(slot)
        case .cd:
            throw .notSupported(operation: "hot-unplug a CD drive")
        }
        // The guest lets the device go (ACPI hot plug): QEMU says so with DEVICE_DELETED.
        domains[vm]?.process?.deletedDevices.remove(id)
        do {
            try await qmp.execute("device_del", ["id": .string(id)])
        } catch QMPError.commandFailed(_, "DeviceNotFound", _) {
            throw .deviceNotAttached(vm: vm, device: device)
        } catch {
            throw .failed(step: "unplug", reason: "\(error)")
        }
        let deleted = try await poll(every: .milliseconds(50), within: Self.unplugDeadline, step: "unplug") {
            () throws(HypervisorError) -> Bool in domains[vm]?.process?.deletedDevices.contains(id) == true
        }
        guard deleted else { throw .guestCannotCooperate(vm: vm, operation: "unplug") }
        switch device {
        case .nic(let number):
            _ = try? await qmp.execute("netdev_del", ["id": .string("vif\(number)-net")])
            releaseTap(number, of: domain.spec, domid: domain.domid)
            domains[vm]?.spec.nics.removeAll { $0 == number }
        case .disk(let slot):
            _ = try? await qmp.execute("blockdev-del", ["node-name": .string(id)])
            if let attached = domains[vm]?.process?.disks.removeValue(forKey: slot) { release(attached) }
            domains[vm]?.spec.disks.removeAll { $0 == slot }
            domains[vm]?.spec.diskImages?[slot] = nil
        case .cd:
            break
        }
        writeRunRecord(vm)
        touch(vm)
    }

    /// How long a guest may take to let go of a device being unplugged.
    static let unplugDeadline: Duration = .seconds(20)

    public func changeMedia(_ vm: String, drive: Int, media: String?) async throws(HypervisorError) {
        let domain = try require(vm)
        guard domain.spec.media.keys.contains(drive) else { throw .deviceNotAttached(vm: vm, device: .cd(drive)) }
        if let qmp = domain.process?.qmp {
            if let media {
                try await insert(media, into: drive, qmp: qmp)
            } else {
                try await command(vm, "eject", ["id": .string(QEMUCommandLine.cdDevice(drive)), "force": true])
            }
        }
        domains[vm]?.spec.media[drive] = .some(media)
        writeRunRecord(vm)
        touch(vm)
    }

    public func stat(_ vm: String) async -> DomainStat? {
        guard let domain = domains[vm] else { return nil }
        return DomainStat(spec: domain.spec, domid: domain.domid, state: domain.state, guest: domain.guest, exit: domain.exit)
    }

    public func updates(since generation: Int64) async -> (generation: Int64, changed: [String]) {
        (self.generation, changedAt.filter { $0.value > generation }.map(\.key).sorted())
    }

    public func guestDiskWrites(_ vm: String) async -> [GuestDiskWrite] { [] }

    /// Runs `program` in the guest through its agent and returns its exit code and output (what
    /// tests use to look inside a guest).
    public func runInGuest(_ vm: String, _ program: String, _ arguments: [String]) async throws -> (exitCode: Int64, output: String) {
        guard let agent = domains[vm]?.process?.agent else { throw HypervisorError.guestCannotCooperate(vm: vm, operation: "run") }
        return try await agent.run(program, arguments, sleep: work.sleep)
    }

    /// What the guest wrote to its serial console, and QEMU to its log (for diagnosis).
    public func consoleLog(_ vm: String) -> String {
        guard let files = domains[vm]?.process?.files else { return "" }
        let console = (try? String(contentsOfFile: files.console, encoding: .utf8)) ?? ""
        let log = (try? String(contentsOfFile: files.log, encoding: .utf8)) ?? ""
        return console + (log.isEmpty ? "" : "\n--- QEMU ---\n" + log)
    }

    // MARK: - Watching

    /// Feeds the domain's QMP events into its state until the connection ends, which means the
    /// process is gone (or `xapid` is stopping).
    private func watchEvents(domid: Int64, qmp: QMPClient) {
        let events = qmp.events
        _ = work.submit { [weak self] in
            for await event in events { await self?.observe(event, domid: domid) }
            await self?.connectionEnded(domid: domid)
        }
    }

    /// The name of the domain with `domid` now (a domain set aside keeps its id).
    private func name(of domid: Int64) -> String? {
        domains.first { $0.value.domid == domid }?.key
    }

    private func observe(_ event: QMPEvent, domid: Int64) {
        guard let vm = name(of: domid) else { return }
        switch event.name {
        case "SHUTDOWN":
            domains[vm]?.state = .shutdown
            domains[vm]?.guest = nil
            // A reboot ends the domain too (-action reboot=shutdown): the toolstack restarts it.
            switch (event.data["guest"]?.boolValue, event.data["reason"]?.stringValue) {
            case (true?, "guest-reset"?): domains[vm]?.exit = .reboot
            case (true?, "guest-panic"?): domains[vm]?.exit = .crash
            case (true?, _): domains[vm]?.exit = .poweroff
            default: break
            }
        case "GUEST_PANICKED":
            domains[vm]?.state = .shutdown
            domains[vm]?.guest = nil
            domains[vm]?.exit = .crash
        case "STOP" where domains[vm]?.state == .running:
            domains[vm]?.state = .paused
        case "RESUME" where domains[vm]?.state == .paused:
            domains[vm]?.state = .running
        case "DEVICE_DELETED":
            if let device = event.data["device"]?.stringValue { domains[vm]?.process?.deletedDevices.insert(device) }
            return
        case "MIGRATION":
            let status = event.data["status"]?.stringValue
            domains[vm]?.process?.migration = status
            if status == "completed", domains[vm]?.state == .created { arrived(vm) }
            return
        default:
            return
        }
        touch(vm)
    }

    /// The guest has arrived in this readied domain; it waits, paused, to be unpaused.
    func arrived(_ vm: String) {
        guard domains[vm]?.state == .created else { return }
        domains[vm]?.state = .paused
        domains[vm]?.process?.record.built = true
        writeRunRecord(vm)
        touch(vm)
    }

    private func connectionEnded(domid: Int64) async {
        guard let vm = name(of: domid), !work.isFinishing() else { return }
        await remove(vm, quitting: false)
    }

    // MARK: - Processes

    /// Starts the domain's QEMU process (waiting for an incoming guest when `incoming`), connects
    /// to it, records it, and adds the domain's network interfaces and CD media.
    func launch(_ vm: String, incoming: Bool) async throws(HypervisorError) {
        let (spec, domid) = try require(vm).identity
        // One folder per process: a domain set aside keeps its own while a new one starts.
        let files = QEMURunFiles(folder: settings.runRoot + "/\(spec.vm).\(domid)")
        try? FileManager.default.removeItem(atPath: files.folder)
        do {
            try FileManager.default.createDirectory(atPath: files.folder, withIntermediateDirectories: true)
        } catch {
            throw .failed(step: "create", reason: "\(error)")
        }
        var machine = Self.machine(for: spec, settings: settings)
        machine.incoming = incoming
        let arguments = QEMUCommandLine.arguments(for: machine, files: files)
        let process: QEMUProcess
        do {
            try bridges.prepare()
            let command = bridges.command(settings.program, arguments)
            process = try QEMUProcess.spawn(program: command.program, arguments: command.arguments, log: files.log, monitor: files.qmp)
        } catch let error as HypervisorError {
            throw error
        } catch {
            throw .failed(step: "create", reason: "\(error)")
        }
        // The QMP socket was bound before the process started, so the connection is made at
        // once and answered as soon as QEMU is up; a process that dies first takes the socket
        // with it and the connection fails.
        guard let qmp = try? await QMPClient.connect(path: files.qmp, sleep: work.sleep, timeout: Self.startDeadline) else {
            process.send(SIGKILL)
            _ = process.isRunning
            let log = (try? String(contentsOfFile: files.log, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: files.folder)
            throw .failed(step: "create", reason: "QEMU did not start: \(log.suffix(400))")
        }
        guard domains[vm]?.domid == domid else {
            await stop(process, qmp: qmp, folder: files.folder)
            throw .noSuchDomain(vm: vm)
        }
        let record = QEMURunRecord(name: vm, spec: spec, domid: domid, pid: process.pid, arguments: arguments, built: false)
        domains[vm]?.process = RunningProcess(record: record, qmp: qmp, files: files)
        writeRunRecord(vm)
        watchEvents(domid: domid, qmp: qmp)
        do {
            try await qmp.execute("migrate-set-capabilities", ["capabilities": [["capability": "events", "state": true]]])
            for device in spec.nics.sorted() {
                try await addNIC(device, mac: spec.macs?[device], network: spec.networks?[device], domid: domid, to: qmp)
            }
            for (slot, media) in spec.media { if let media { try await insert(media, into: slot, qmp: qmp) } }
            for (slot, image) in (spec.diskImages ?? [:]).sorted(by: { $0.key < $1.key }) {
                try await attachDisk(image, slot: slot, to: vm)
            }
        } catch let error as HypervisorError {
            await remove(vm, quitting: true)
            throw error
        } catch {
            await remove(vm, quitting: true)
            throw .failed(step: "create", reason: "\(error)")
        }
    }

    /// How long a new process may take to answer on its QMP socket.
    static let startDeadline: Duration = .seconds(15)

    /// Ends the domain: its process (if it has one) told to `quit`, then SIGTERM, then SIGKILL,
    /// and its run folder removed.
    func remove(_ vm: String, quitting: Bool) async {
        guard let domain = domains.removeValue(forKey: vm) else { return }
        touch(vm)
        guard let running = domain.process else { return }
        running.agent?.close()
        defer {
            for attached in running.disks.values { release(attached) }
            releaseTaps(of: domain.spec, domid: domain.domid)
        }
        if quitting {
            await stop(QEMUProcess(pid: running.record.pid), qmp: running.qmp, folder: running.files.folder)
        } else {
            running.qmp.close()
            try? FileManager.default.removeItem(atPath: running.files.folder)
        }
    }

    private func stop(_ process: QEMUProcess, qmp: QMPClient, folder: String) async {
        _ = try? await qmp.execute("quit", timeout: .seconds(5))
        for signal in [0, SIGTERM, SIGKILL] {
            if signal != 0 { process.send(signal) }
            let gone = try? await poll(every: .milliseconds(1), within: .seconds(5), step: "stop") {
                () throws(HypervisorError) -> Bool in !process.isRunning
            }
            if gone == true { break }
        }
        qmp.close()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Looks at `check` every `interval` until it says the wait is over (`true`) or `deadline`
    /// has passed (`false`); `check` throws to end the wait with an error.
    func poll(
        every interval: Duration, within deadline: Duration, step: String, _ check: () async throws(HypervisorError) -> Bool
    ) async throws(HypervisorError) -> Bool {
        let start = work.now()
        while true {
            if try await check() { return true }
            guard work.now() - start < deadline else { return false }
            do { try await work.sleep(interval) } catch { throw .cancelled(step: step) }
        }
    }

    func require(_ vm: String) throws(HypervisorError) -> Domain {
        guard let domain = domains[vm] else { throw .noSuchDomain(vm: vm) }
        return domain
    }

    /// The QMP connection of the domain's process; refused while it has none.
    func qmp(_ vm: String, for operation: String) throws(HypervisorError) -> QMPClient {
        let domain = try require(vm)
        guard let qmp = domain.process?.qmp else { throw .badState(vm: vm, operation: operation, state: domain.state) }
        return qmp
    }

    func command(_ vm: String, _ name: String, _ arguments: JSONValue? = nil) async throws(HypervisorError) {
        let qmp = try qmp(vm, for: name)
        do {
            try await qmp.execute(name, arguments)
        } catch {
            throw .failed(step: name, reason: "\(error)")
        }
    }

    func touch(_ vm: String) {
        generation += 1
        changedAt[vm] = generation
    }

    func writeRunRecord(_ vm: String) {
        guard var process = domains[vm]?.process, let spec = domains[vm]?.spec else { return }
        process.record.spec = spec
        domains[vm]?.process?.record.spec = spec
        guard let data = try? JSONEncoder().encode(process.record) else { return }
        try? data.write(to: URL(fileURLWithPath: process.files.machine), options: .atomic)
    }

    /// The QEMU machine a domain spec describes on this host.
    static func machine(for spec: DomainSpec, settings: QEMUHostSettings) -> QEMUMachine {
        let boot: QEMUMachine.Boot =
            switch spec.boot {
            case .direct(let kernel, let ramdisk, let arguments)?: .direct(kernel: kernel, ramdisk: ramdisk, arguments: arguments)
            case .firmware(let order)?: .firmware(order: order)
            case nil: .firmware(order: "cd")
            }
        return QEMUMachine(
            uuid: spec.vm, name: spec.name, memoryMiB: guestRAM(of: spec) >> 20, vcpus: Int(max(1, spec.vcpus)),
            maxVCPUs: Int(max(1, spec.vcpus, spec.maxVCPUs ?? 0)), accelerator: settings.accelerator, machineType: settings.machineType,
            cpuModel: settings.cpuModel, boot: boot, cdSlots: spec.media.keys.filter { (0...3).contains($0) }.sorted())
    }

    /// A QEMU run state as a domain state: a process waiting for its guest (`inmigrate`) is
    /// half-made; one whose guest has left (`postmigrate`, after a suspend or a migration) is done.
    static func state(ofStatus status: String, built: Bool) -> DomainStat.State {
        switch status {
        case "running": .running
        case "prelaunch": built ? .paused : .created
        case "inmigrate": .created
        case "paused", "suspended": .paused
        default: .shutdown
        }
    }
}

/// What the run folder records of a domain, to adopt its process after a restart.
struct QEMURunRecord: Codable, Sendable {
    /// The domain's name: its VM's uuid, or the name it was set aside under.
    var name: String
    var spec: DomainSpec
    var domid: Int64
    var pid: Int32
    var arguments: [String]
    var built: Bool
}
