import Foundation
import NIOPosix
import XenBackend
import XenStorage

#if canImport(Glibc)
    import Glibc
#endif

/// Suspend, resume and live migration: all three are QEMU's migration stream. A suspend sends
/// it over a socket `xapid` passes (QEMU opens nothing itself, so it may stay sandboxed) into
/// the VM's suspend VDI, framed as a `SuspendImage`; a resume starts a process that waits for
/// the stream and is sent it back the same way; a migration sends it from one process to
/// another over a Unix socket.
extension QEMUHypervisor {
    /// How fast a stream may go: QEMU's default (128 MiB/s) is a throttle for networks, not for
    /// a file or a socket on this machine.
    static let streamBandwidth: Int64 = 10_000_000_000
    /// How long a stream may take before it is given up.
    static let streamDeadline: Duration = .seconds(600)
    /// How often the state QEMU's events left of a stream in flight is looked at.
    static let streamPoll: Duration = .milliseconds(1)

    /// The record that `vm` has a finished saved image: the path of the disk holding it.
    func savedImageRecord(of vm: String) -> String {
        settings.savedImageRoot + "/" + vm + ".image"
    }

    /// QEMU's stream of a guest, as a suspend image names its format.
    static let imageFormat = "qemu-migration"

    public func save(_ vm: String, to image: DiskImage?) async throws(HypervisorError) {
        let domain = try require(vm)
        guard domain.state == .running, let process = domain.process else {
            throw .badState(vm: vm, operation: "save", state: domain.state)
        }
        guard let image, image.format == .vhd, !image.readOnly else {
            throw .notSupported(operation: "suspend a guest into a disk that is not a writable VHD on this host")
        }
        // As on XenServer, only a guest whose tools run may be suspended or migrated.
        try await awaitAgent(vm, operation: "save")
        let producer = try version(of: process.qmp, step: "save")
        let disk = try openDisk(image.path, readOnly: false, step: "save")
        defer { try? disk.close() }
        do throws(VHDError) { try SuspendImage.erase(disk) } catch { throw .failed(step: "save", reason: "\(error)") }
        let (ours, theirs) = try Self.socketPair(step: "save")
        defer { close(ours) }
        do throws(HypervisorError) {
            defer { close(theirs) }
            try await command(vm, "stop")
            try await command(vm, "migrate-set-parameters", ["max-bandwidth": .int(Self.streamBandwidth)])
            domains[vm]?.process?.migration = nil
            let monitor = try monitor(of: process, step: "save")
            do {
                try monitor.pass(theirs, as: "suspend")
                try monitor.execute("migrate", ["uri": "fd:suspend"])
            } catch {
                throw .failed(step: "save", reason: "\(error)")
            }
        } catch {
            _ = try? await command(vm, "cont")
            throw error
        }
        // The stream goes into the disk while QEMU sends it; QEMU's end closes when it is done.
        // A receive that fails (the stream outgrows the disk, a write fails) ends the stream, so
        // QEMU's send fails at once rather than blocking on a full socket.
        async let received = NIOThreadPool.singleton.runIfActive {
            do {
                return try SuspendImage.receive(from: ours, into: disk)
            } catch {
                shutdown(ours, Int32(SHUT_RDWR))
                throw error
            }
        }
        do throws(HypervisorError) {
            do throws(HypervisorError) {
                try await waitForStream(of: vm, step: "save")
            } catch {
                shutdown(ours, Int32(SHUT_RDWR))
                _ = try? await received
                throw error
            }
            let length: Int64
            do { length = try await received } catch { throw .failed(step: "save", reason: "\(error)") }
            let header = SuspendImage(format: Self.imageFormat, producer: producer, machine: settings.machineType, length: length)
            do throws(VHDError) { try header.write(to: disk) } catch { throw .failed(step: "save", reason: "\(error)") }
            try Self.writeDurably(image.path, to: savedImageRecord(of: domain.spec.vm), root: settings.savedImageRoot)
        } catch {
            _ = try? await command(vm, "cont")
            throw error
        }
        domains[vm]?.state = .shutdown
        domains[vm]?.guest = nil
        touch(vm)
    }

    public func restore(_ vm: String, from image: DiskImage?) async throws(HypervisorError) {
        let domain = try require(vm)
        guard domain.state == .created, domain.process == nil else {
            throw .badState(vm: vm, operation: "restore", state: domain.state)
        }
        guard let image, image.format == .vhd else { throw .noSavedImage(vm: vm) }
        let disk = try openDisk(image.path, readOnly: true, step: "restore")
        defer { try? disk.close() }
        guard let header = SuspendImage.read(from: disk) else { throw .noSavedImage(vm: vm) }
        guard header.format == Self.imageFormat, header.machine == settings.machineType else {
            throw .failed(
                step: "restore",
                reason: "the image was saved by \(header.producer) (\(header.format)) for machine \(header.machine); this host runs QEMU machine \(settings.machineType)")
        }
        try await launch(vm, incoming: true)
        do throws(HypervisorError) {
            guard let process = domains[vm]?.process else { throw .noSuchDomain(vm: vm) }
            // QEMU reads the streams of its own and older versions, never of newer ones.
            let running = try version(of: process.qmp, step: "restore")
            guard !Self.isNewer(header.producer, than: running) else {
                throw .failed(step: "restore", reason: "the image was saved by \(header.producer), newer than this host's \(running)")
            }
            let (ours, theirs) = try Self.socketPair(step: "restore")
            defer { close(ours) }
            do {
                defer { close(theirs) }
                let monitor = try monitor(of: process, step: "restore")
                try monitor.pass(theirs, as: "resume")
                try monitor.execute("migrate-incoming", ["uri": "fd:resume"])
            } catch let error as HypervisorError {
                throw error
            } catch {
                throw .failed(step: "restore", reason: "\(error)")
            }
            async let sent: Void = NIOThreadPool.singleton.runIfActive {
                defer { shutdown(ours, Int32(SHUT_WR)) }
                try header.send(from: disk, to: ours)
            }
            do throws(HypervisorError) {
                try await waitForArrival(of: vm, step: "restore")
            } catch {
                shutdown(ours, Int32(SHUT_RDWR))
                _ = try? await sent
                throw error
            }
            do { try await sent } catch { throw .failed(step: "restore", reason: "\(error)") }
        } catch {
            await remove(vm, quitting: true)
            throw error
        }
        unlink(savedImageRecord(of: domain.spec.vm))
        domains[vm]?.state = .paused
        domains[vm]?.process?.record.built = true
        writeRunRecord(vm)
        touch(vm)
    }

    /// Forgets the saved image (its disk is the toolstack's to remove).
    public func discardSavedImage(_ vm: String) async throws(HypervisorError) {
        guard unlink(savedImageRecord(of: vm)) == 0 else { throw .noSavedImage(vm: vm) }
    }

    public func hasSavedImage(_ vm: String) async -> Bool {
        FileManager.default.fileExists(atPath: savedImageRecord(of: vm))
    }

    /// The QEMU a process runs, as its QMP greeting said: `QEMU <major>.<minor>.<micro>`.
    private func version(of qmp: QMPClient, step: String) throws(HypervisorError) -> String {
        guard let version = qmp.qemuVersion else { throw .failed(step: step, reason: "QEMU's greeting gave no version") }
        return "QEMU " + version
    }

    /// Whether version text `a` (`QEMU x.y.z`) names a later release than `b`.
    static func isNewer(_ a: String, than b: String) -> Bool {
        let numbers = { (text: String) in text.split(separator: " ").last.map { $0.split(separator: ".").map { Int($0) ?? 0 } } ?? [] }
        return numbers(b).lexicographicallyPrecedes(numbers(a))
    }

    private func openDisk(_ path: String, readOnly: Bool, step: String) throws(HypervisorError) -> VHDDisk {
        do {
            return try VHDDisk(path: path, readOnly: readOnly)
        } catch {
            throw .failed(step: step, reason: "\(error)")
        }
    }

    /// A connected pair of stream sockets: one end for `xapid`, one to hand to QEMU. A socket
    /// rather than a pipe, so a reader or writer that goes away fails a call, not the process.
    private static func socketPair(step: String) throws(HypervisorError) -> (ours: Int32, theirs: Int32) {
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw .failed(step: step, reason: "socketpair: \(String(cString: strerror(errno)))")
        }
        // Room for a few VHD blocks in flight, so neither end waits on the other's every write
        // (a Unix socket's sender holds what is queued; as root the usual cap does not apply).
        for end in ends {
            var room = Self.streamBuffer
            if setsockopt(end, SOL_SOCKET, SO_SNDBUFFORCE, &room, socklen_t(MemoryLayout<Int32>.size)) != 0 {
                _ = setsockopt(end, SOL_SOCKET, SO_SNDBUF, &room, socklen_t(MemoryLayout<Int32>.size))
            }
        }
        return (ends[0], ends[1])
    }

    /// The send buffer of each end of a stream's socket pair.
    static let streamBuffer: Int32 = 16 << 20

    /// Writes `text` to `path` so that after a crash it is either absent or whole.
    private static func writeDurably(_ text: String, to path: String, root: String) throws(HypervisorError) {
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let partial = path + ".partial"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: partial))
        } catch {
            throw .failed(step: "save", reason: "\(error)")
        }
        try makeDurable(partial)
        guard Glibc.rename(partial, path) == 0 else {
            unlink(partial)
            throw .failed(step: "save", reason: String(cString: strerror(errno)))
        }
    }

    public func receiveMigration(_ vm: String) async throws(HypervisorError) -> MigrationEndpoint {
        let domain = try require(vm)
        guard domain.state == .created, domain.process == nil else {
            throw .badState(vm: vm, operation: "receive_migration", state: domain.state)
        }
        try await launch(vm, incoming: true)
        guard let files = domains[vm]?.process?.files else { throw .noSuchDomain(vm: vm) }
        // Only a process still waiting for its guest listens on this socket: a send meant for an
        // earlier readied domain finds nothing there.
        try await command(vm, "migrate-incoming", ["uri": .string("unix:" + files.migration)])
        return MigrationEndpoint(url: "unix:" + files.migration)
    }

    public func sendMigration(_ vm: String, to endpoint: MigrationEndpoint) async throws(HypervisorError) {
        let domain = try require(vm)
        guard domain.state == .running, domain.process != nil else {
            throw .badState(vm: vm, operation: "send_migration", state: domain.state)
        }
        try await awaitAgent(vm, operation: "migrate")
        guard endpoint.url.hasPrefix("unix:"), FileManager.default.fileExists(atPath: String(endpoint.url.dropFirst(5))) else {
            throw .noMigrationReceiver(endpoint: endpoint.url)
        }
        try await command(vm, "migrate-set-parameters", ["max-bandwidth": .int(Self.streamBandwidth)])
        domains[vm]?.process?.migration = nil
        try await command(vm, "migrate", ["uri": .string(endpoint.url)])
        do {
            try await waitForStream(of: vm, step: "send_migration")
        } catch {
            // A failed migration leaves the guest running here (QEMU resumes it).
            if let qmp = domains[vm]?.process?.qmp, (try? await qmp.status()) == "postmigrate" {
                _ = try? await qmp.execute("cont")
            }
            throw error
        }
        domains[vm]?.state = .shutdown
        domains[vm]?.guest = nil
        touch(vm)
    }

    /// How long a guest that has just started may take to bring its agent up before an
    /// operation that needs it is refused.
    static let agentDeadline: Duration = .seconds(30)

    /// Waits for the guest's agent to answer (a guest just booted or rebooted starts it a few
    /// seconds in); `guestCannotCooperate` if it does not in time or the guest stops running.
    func awaitAgent(_ vm: String, operation: String) async throws(HypervisorError) {
        let answered = try await poll(every: Self.supervisionTick, within: Self.agentDeadline, step: operation) {
            () throws(HypervisorError) -> Bool in
            if domains[vm]?.process?.agent != nil { return true }
            guard domains[vm]?.state == .running else { throw .guestCannotCooperate(vm: vm, operation: operation) }
            return false
        }
        guard answered else { throw .guestCannotCooperate(vm: vm, operation: operation) }
    }

    /// A short session on the process's descriptor monitor.
    private func monitor(of process: RunningProcess, step: String) throws(HypervisorError) -> QMPDescriptorMonitor {
        do {
            return try QMPDescriptorMonitor.connect(path: process.files.descriptorMonitor)
        } catch {
            throw .failed(step: step, reason: "\(error)")
        }
    }

    /// Waits for the outgoing stream of `vm` to complete, as QEMU's events tell it (looking at
    /// what they left, not asking QEMU, whose main loop the stream shares); throws if it fails.
    private func waitForStream(of vm: String, step: String) async throws(HypervisorError) {
        let completed = try await poll(every: Self.streamPoll, within: Self.streamDeadline, step: step) {
            () throws(HypervisorError) -> Bool in
            guard let process = domains[vm]?.process else { throw .failed(step: step, reason: "QEMU ended during the stream") }
            switch process.migration {
            case "completed"?: return true
            case "failed"?, "cancelled"?:
                let reason = (try? await process.qmp.execute("query-migrate"))?["error-desc"]?.stringValue
                throw .failed(step: step, reason: reason ?? "the stream failed")
            default: return false
            }
        }
        if completed { return }
        _ = try? await qmp(vm, for: step).execute("migrate_cancel")
        throw .failed(step: step, reason: "the stream did not complete within \(Self.streamDeadline)")
    }

    /// Waits for the incoming stream of `vm` to have arrived: QEMU's event says the stream is
    /// complete, then the process has left `inmigrate`.
    func waitForArrival(of vm: String, step: String) async throws(HypervisorError) {
        let arrived = try await poll(every: Self.streamPoll, within: Self.streamDeadline, step: step) {
            () throws(HypervisorError) -> Bool in
            guard let process = domains[vm]?.process else { throw .failed(step: step, reason: "the guest did not arrive (QEMU ended)") }
            switch process.migration {
            case "completed"?: break
            case "failed"?, "cancelled"?: throw .failed(step: step, reason: "the guest did not arrive (the stream \(process.migration ?? ""))")
            default: return false
            }
            let status: String
            do {
                status = try await process.qmp.status()
            } catch {
                throw .failed(step: step, reason: "\(error)")
            }
            switch status {
            case "inmigrate": return false
            case "paused", "prelaunch": return true
            default: throw .failed(step: step, reason: "the guest did not arrive (QEMU is \(status))")
            }
        }
        if arrived { return }
        throw .failed(step: step, reason: "the guest did not arrive within \(Self.streamDeadline)")
    }

    /// Flushes the file at `path` to disk, so that a crash after its rename leaves it whole.
    private static func makeDurable(_ path: String) throws(HypervisorError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0, fsync(descriptor) == 0 else {
            if descriptor >= 0 { close(descriptor) }
            throw .failed(step: "save", reason: "cannot flush \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
    }
}
