import Foundation
import XenBackend

#if canImport(Glibc)
    import Glibc
#endif

/// The `Hypervisor` of a machine whose VMs are QEMU processes, one per running VM, each in a
/// session of its own with QMP and the guest agent on Unix sockets in its run folder. QEMU's
/// events and the agent's answers become the domains' state; a process that dies takes its
/// domain with it; after a restart the processes still running are adopted again.
public actor QEMUHypervisor: Hypervisor {
    /// How the hypervisor runs work that outlives a call: the environment's background queue.
    public struct Work: Sendable {
        public var submit: @Sendable (@escaping @Sendable () async -> Void) -> Bool
        public var isFinishing: @Sendable () -> Bool
        public var sleep: @Sendable (Duration) async throws -> Void

        public init(
            submit: @escaping @Sendable (@escaping @Sendable () async -> Void) -> Bool,
            isFinishing: @escaping @Sendable () -> Bool, sleep: @escaping @Sendable (Duration) async throws -> Void
        ) {
            self.submit = submit
            self.isFinishing = isFinishing
            self.sleep = sleep
        }
    }

    private struct Domain {
        var record: QEMURunRecord
        var qmp: QMPClient
        var state: DomainStat.State
        var guest: GuestReport?
        var agent: GuestAgentClient?
        var files: QEMURunFiles
    }

    private let settings: QEMUHostSettings
    private let work: Work
    private let resources: (memory: Int64, cpus: Int)
    private var domains: [String: Domain] = [:]
    private var nextDomid: Int64 = 1
    private var generation: Int64 = 0
    private var changedAt: [String: Int64] = [:]
    private var agentTokens: Int64 = 1

    /// A hypervisor over `settings`; `adopt` finds the QEMU processes a previous run left.
    public init(settings: QEMUHostSettings, work: Work) {
        self.settings = settings
        self.work = work
        resources = QEMUHostSettings.machineResources()
    }

    /// Adopts the QEMU processes still running from an earlier `xapid` (each checked against its
    /// recorded command line), removes the run folders of those gone, and starts watching.
    public func start() async {
        try? FileManager.default.createDirectory(atPath: settings.runRoot, withIntermediateDirectories: true)
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
                try? FileManager.default.removeItem(atPath: files.folder)
                continue
            }
            let state = (try? await qmp.status()).map { Self.state(ofStatus: $0, built: record.built) } ?? .shutdown
            domains[record.spec.vm] = Domain(record: record, qmp: qmp, state: state, files: files)
            nextDomid = max(nextDomid, record.domid + 1)
            watchEvents(of: record.spec.vm, domid: record.domid, qmp: qmp)
            touch(record.spec.vm)
        }
        _ = work.submit { [weak self] in await self?.superviseAgents() }
    }

    public func hostFacts() async throws(HypervisorError) -> HostFacts {
        HostFacts(totalMemory: resources.memory, freeMemory: freeMemory, cpuCount: resources.cpus)
    }

    private var freeMemory: Int64 {
        resources.memory - settings.reservedMemory - domains.values.reduce(0) { $0 + $1.record.spec.memory + settings.overheadPerVM }
    }

    public func create(_ spec: DomainSpec) async throws(HypervisorError) -> Int64 {
        guard domains[spec.vm] == nil else { throw .domainExists(vm: spec.vm) }
        let needed = spec.memory + settings.overheadPerVM
        guard needed <= freeMemory else { throw .notEnoughMemory(needed: needed, available: max(0, freeMemory)) }
        let files = QEMURunFiles(folder: settings.runRoot + "/" + spec.vm)
        try? FileManager.default.removeItem(atPath: files.folder)
        do {
            try FileManager.default.createDirectory(atPath: files.folder, withIntermediateDirectories: true)
        } catch {
            throw .failed(step: "create", reason: "\(error)")
        }
        let domid = nextDomid
        nextDomid += 1
        let machine = Self.machine(for: spec, settings: settings)
        let arguments = QEMUCommandLine.arguments(for: machine, files: files)
        let process: QEMUProcess
        do {
            process = try QEMUProcess.spawn(program: settings.program, arguments: arguments, log: files.log)
        } catch {
            throw .failed(step: "create", reason: "\(error)")
        }
        let record = QEMURunRecord(spec: spec, domid: domid, pid: process.pid, arguments: arguments, built: false)
        guard let qmp = await connect(files, process: process) else {
            process.send(SIGKILL)
            _ = process.isRunning
            let log = (try? String(contentsOfFile: files.log, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: files.folder)
            throw .failed(step: "create", reason: "QEMU did not start: \(log.suffix(400))")
        }
        domains[spec.vm] = Domain(record: record, qmp: qmp, state: .created, files: files)
        writeRunRecord(spec.vm)
        do {
            for device in spec.nics.sorted() { try await addNIC(device, mac: spec.macs?[device], to: qmp) }
            for (slot, media) in spec.media { if let media { try await insert(media, into: slot, qmp: qmp) } }
        } catch {
            await remove(spec.vm, quitting: true)
            throw error
        }
        watchEvents(of: spec.vm, domid: domid, qmp: qmp)
        touch(spec.vm)
        return domid
    }

    public func build(_ vm: String) async throws(HypervisorError) {
        let domain = try require(vm)
        guard domain.state == .created else { throw .badState(vm: vm, operation: "build", state: domain.state) }
        domains[vm]?.state = .paused
        domains[vm]?.record.built = true
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
        let domain = try require(vm)
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
            if let agent = domain.agent, (try? agent.requestShutdown(mode: reason == .reboot ? "reboot" : "powerdown")) != nil {
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
        let step = Duration.milliseconds(100)
        var waited = Duration.zero
        while true {
            guard let domain = domains[vm] else { return true }
            if domain.state == .shutdown { return true }
            if waited >= timeout { return false }
            do { try await work.sleep(step) } catch { throw .cancelled(step: "waitShutdown") }
            waited += step
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

    public func save(_ vm: String) async throws(HypervisorError) { throw .notSupported(operation: "suspend a VM") }
    public func restore(_ vm: String) async throws(HypervisorError) { throw .notSupported(operation: "resume a VM") }
    public func discardSavedImage(_ vm: String) async throws(HypervisorError) {}
    public func hasSavedImage(_ vm: String) async -> Bool { false }

    public func plug(_ vm: String, _ device: VirtualDevice) async throws(HypervisorError) {
        let domain = try require(vm)
        guard case .nic(let number) = device else { throw .notSupported(operation: "hot-plug disks") }
        try await addNIC(number, mac: domain.record.spec.macs?[number], to: domain.qmp)
        touch(vm)
    }

    public func unplug(_ vm: String, _ device: VirtualDevice, force: Bool) async throws(HypervisorError) {
        let domain = try require(vm)
        guard case .nic(let number) = device else { throw .notSupported(operation: "hot-unplug disks") }
        do {
            try await domain.qmp.execute("device_del", ["id": .string("vif\(number)")])
            try await domain.qmp.execute("netdev_del", ["id": .string("vif\(number)-net")])
        } catch QMPError.commandFailed(_, "DeviceNotFound", _) {
            throw .deviceNotAttached(vm: vm, device: device)
        } catch {
            throw .failed(step: "unplug", reason: "\(error)")
        }
        touch(vm)
    }

    public func changeMedia(_ vm: String, drive: Int, media: String?) async throws(HypervisorError) {
        let domain = try require(vm)
        if let media {
            try await insert(media, into: drive, qmp: domain.qmp)
        } else {
            try await command(vm, "eject", ["id": .string(QEMUCommandLine.cdDevice(drive)), "force": true])
        }
        touch(vm)
    }

    public func receiveMigration(_ vm: String) async throws(HypervisorError) -> MigrationEndpoint {
        throw .notSupported(operation: "migrate a VM")
    }

    public func sendMigration(_ vm: String, to endpoint: MigrationEndpoint) async throws(HypervisorError) {
        throw .notSupported(operation: "migrate a VM")
    }

    public func stat(_ vm: String) async -> DomainStat? {
        guard let domain = domains[vm] else { return nil }
        return DomainStat(spec: domain.record.spec, domid: domain.record.domid, state: domain.state, guest: domain.guest)
    }

    public func updates(since generation: Int64) async -> (generation: Int64, changed: [String]) {
        (self.generation, changedAt.filter { $0.value > generation }.map(\.key).sorted())
    }

    public func guestDiskWrites(_ vm: String) async -> [GuestDiskWrite] { [] }

    // MARK: - Devices

    /// A user-mode network interface with the VIF's MAC (a bridge of the VIF's network later).
    private func addNIC(_ device: Int, mac: String?, to qmp: QMPClient) async throws(HypervisorError) {
        var properties: [String: JSONValue] = ["driver": "virtio-net-pci", "netdev": .string("vif\(device)-net"), "id": .string("vif\(device)")]
        if let mac, !mac.isEmpty { properties["mac"] = .string(mac) }
        do {
            try await qmp.execute("netdev_add", ["type": "user", "id": .string("vif\(device)-net")])
            try await qmp.execute("device_add", .object(properties))
        } catch QMPError.commandFailed(_, _, let description) where description.contains("Duplicate") {
            throw .deviceAlreadyAttached(vm: "", device: .nic(device))
        } catch {
            throw .failed(step: "plug", reason: "\(error)")
        }
    }

    /// Puts the ISO at `media` (a file) into the CD drive in `slot`.
    private func insert(_ media: String, into slot: Int, qmp: QMPClient) async throws(HypervisorError) {
        guard FileManager.default.fileExists(atPath: media) else { return }
        do {
            try await qmp.execute(
                "blockdev-change-medium",
                ["id": .string(QEMUCommandLine.cdDevice(slot)), "filename": .string(media), "format": "raw", "read-only-mode": "read-only"])
        } catch {
            throw .failed(step: "insert", reason: "\(error)")
        }
    }

    // MARK: - Watching

    /// Feeds the domain's QMP events into its state until the connection ends, which means the
    /// process is gone (or `xapid` is stopping).
    private func watchEvents(of vm: String, domid: Int64, qmp: QMPClient) {
        let events = qmp.events
        _ = work.submit { [weak self] in
            for await event in events { await self?.observe(event, vm: vm, domid: domid) }
            await self?.connectionEnded(vm: vm, domid: domid)
        }
    }

    private func observe(_ event: QMPEvent, vm: String, domid: Int64) {
        guard domains[vm]?.record.domid == domid else { return }
        switch event.name {
        case "SHUTDOWN":
            domains[vm]?.state = .shutdown
            domains[vm]?.guest = nil
        case "STOP" where domains[vm]?.state == .running:
            domains[vm]?.state = .paused
        case "RESUME" where domains[vm]?.state == .paused:
            domains[vm]?.state = .running
        default:
            return
        }
        touch(vm)
    }

    private func connectionEnded(vm: String, domid: Int64) async {
        guard domains[vm]?.record.domid == domid, !work.isFinishing() else { return }
        await remove(vm, quitting: false)
    }

    /// Every few seconds: the agent of each running guest is asked what it reports (connecting
    /// first when it has come up); processes that died without a word are noticed. At the end
    /// the connections are closed, and the processes left running.
    private func superviseAgents() async {
        while !work.isFinishing() {
            for vm in domains.keys.sorted() {
                guard let domain = domains[vm] else { continue }
                if !QEMUProcess(pid: domain.record.pid).isRunning {
                    await remove(vm, quitting: false)
                    continue
                }
                guard domain.state == .running else { continue }
                await refreshGuest(vm)
            }
            do { try await work.sleep(.seconds(3)) } catch { break }
        }
        for domain in domains.values {
            domain.agent?.close()
            domain.qmp.close()
        }
    }

    private func refreshGuest(_ vm: String) async {
        guard let domain = domains[vm] else { return }
        var agent = domain.agent
        if agent == nil {
            agentTokens += 1
            agent = try? await GuestAgentClient.connect(path: domain.files.agent, sleep: work.sleep, token: agentTokens, timeout: .seconds(2))
            domains[vm]?.agent = agent
        }
        guard let agent else { return }
        guard let report = try? await agent.report(timeout: .seconds(3)) else {
            agent.close()
            domains[vm]?.agent = nil
            return
        }
        let guest = Self.guestReport(report, macs: domain.record.spec.macs ?? [:])
        if domains[vm]?.guest != guest, domains[vm]?.record.domid == domain.record.domid {
            domains[vm]?.guest = guest
            touch(vm)
        }
    }

    /// The agent's report in xapi's terms: addresses keyed by VIF device (`0/ip`, `0/ipv4/0`,
    /// `0/ipv6/0`), matched by MAC.
    static func guestReport(_ report: GuestAgentReport, macs: [Int: String]) -> GuestReport {
        var networks: [String: String] = [:]
        for (device, mac) in macs {
            let addresses = report.addresses[mac.lowercased()] ?? []
            let v4 = addresses.filter { !$0.contains(":") }
            let v6 = addresses.filter { $0.contains(":") }
            if let first = v4.first { networks["\(device)/ip"] = first }
            for (index, address) in v4.enumerated() { networks["\(device)/ipv4/\(index)"] = address }
            for (index, address) in v6.enumerated() { networks["\(device)/ipv6/\(index)"] = address }
        }
        return GuestReport(networks: networks, osVersion: report.osVersion, pvDriversVersion: report.driversVersion)
    }

    // MARK: - Processes

    private func connect(_ files: QEMURunFiles, process: QEMUProcess) async -> QMPClient? {
        for _ in 0..<200 {
            if let qmp = try? await QMPClient.connect(path: files.qmp, sleep: work.sleep, timeout: .seconds(5)) { return qmp }
            guard process.isRunning else { return nil }
            try? await work.sleep(.milliseconds(50))
        }
        return nil
    }

    /// Ends the domain: `quit` (then SIGTERM, then SIGKILL), and its run folder removed.
    private func remove(_ vm: String, quitting: Bool) async {
        guard let domain = domains.removeValue(forKey: vm) else { return }
        domain.agent?.close()
        let process = QEMUProcess(pid: domain.record.pid)
        if quitting {
            _ = try? await domain.qmp.execute("quit", timeout: .seconds(5))
            for signal in [0, SIGTERM, SIGKILL] {
                if signal != 0 { process.send(signal) }
                var waited = 0
                while process.isRunning, waited < 50 {
                    try? await work.sleep(.milliseconds(100))
                    waited += 1
                }
                if !process.isRunning { break }
            }
        }
        domain.qmp.close()
        try? FileManager.default.removeItem(atPath: domain.files.folder)
        touch(vm)
    }

    private func require(_ vm: String) throws(HypervisorError) -> Domain {
        guard let domain = domains[vm] else { throw .noSuchDomain(vm: vm) }
        return domain
    }

    private func command(_ vm: String, _ name: String, _ arguments: JSONValue? = nil) async throws(HypervisorError) {
        let domain = try require(vm)
        do {
            try await domain.qmp.execute(name, arguments)
        } catch {
            throw .failed(step: name, reason: "\(error)")
        }
    }

    private func touch(_ vm: String) {
        generation += 1
        changedAt[vm] = generation
    }

    private func writeRunRecord(_ vm: String) {
        guard let domain = domains[vm], let data = try? JSONEncoder().encode(domain.record) else { return }
        try? data.write(to: URL(fileURLWithPath: domain.files.machine), options: .atomic)
    }

    /// The QEMU machine a domain spec describes on this host.
    static func machine(for spec: DomainSpec, settings: QEMUHostSettings) -> QEMUMachine {
        let boot: QEMUMachine.Boot =
            switch spec.boot {
            case .direct(let kernel, let ramdisk, let arguments)?: .direct(kernel: kernel, ramdisk: ramdisk, arguments: arguments)
            case .firmware(let order)?: .firmware(order: order)
            case nil: .firmware(order: "cd")
            }
        let mib = Int64(1) << 20
        return QEMUMachine(
            uuid: spec.vm, name: spec.name, memoryMiB: max(16, (spec.memory + mib - 1) / mib), vcpus: Int(max(1, spec.vcpus)),
            maxVCPUs: Int(max(1, spec.vcpus)), accelerator: settings.accelerator, machineType: settings.machineType,
            cpuModel: settings.cpuModel, boot: boot, cdSlots: spec.media.keys.filter { (0...3).contains($0) }.sorted())
    }

    /// A QEMU run state as a domain state.
    static func state(ofStatus status: String, built: Bool) -> DomainStat.State {
        switch status {
        case "running": .running
        case "prelaunch": built ? .paused : .created
        case "paused", "postmigrate", "inmigrate", "suspended": .paused
        default: .shutdown
        }
    }
}

/// What the run folder records of a domain, to adopt its process after a restart.
struct QEMURunRecord: Codable, Sendable {
    var spec: DomainSpec
    var domid: Int64
    var pid: Int32
    var arguments: [String]
    var built: Bool
}
