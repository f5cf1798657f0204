import Foundation
import XenBackend

#if canImport(Glibc)
    import Glibc
#endif

/// Suspend, resume and live migration: all three are QEMU's migration stream. A suspend sends
/// it into the VM's saved image through a descriptor `xapid` opened (QEMU opens nothing itself,
/// so it may stay sandboxed); a resume starts a process that waits for the stream and hands it
/// the image the same way; a migration sends it from one process to another over a Unix socket.
extension QEMUHypervisor {
    /// How fast a stream may go: QEMU's default (128 MiB/s) is a throttle for networks, not for
    /// a file or a socket on this machine.
    static let streamBandwidth: Int64 = 10_000_000_000
    /// How long a stream may take before it is given up.
    static let streamDeadline: Duration = .seconds(600)
    /// How often a stream in flight is looked at.
    static let streamPoll: Duration = .milliseconds(10)

    /// The saved image of `vm`, and the file it is written to until complete.
    func savedImage(of vm: String) -> (complete: String, partial: String) {
        let path = settings.savedImageRoot + "/" + vm + ".state"
        return (path, path + ".partial")
    }

    public func save(_ vm: String) async throws(HypervisorError) {
        let domain = try require(vm)
        guard domain.state == .running, let process = domain.process else {
            throw .badState(vm: vm, operation: "save", state: domain.state)
        }
        // As on XenServer, only a guest whose tools run may be suspended or migrated.
        try await awaitAgent(vm, operation: "save")
        let image = savedImage(of: domain.spec.vm)
        try? FileManager.default.createDirectory(atPath: settings.savedImageRoot, withIntermediateDirectories: true)
        let descriptor = open(image.partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .failed(step: "save", reason: "cannot write \(image.partial): \(String(cString: strerror(errno)))") }
        do throws(HypervisorError) {
            defer { close(descriptor) }
            try await command(vm, "stop")
            try await command(vm, "migrate-set-parameters", ["max-bandwidth": .int(Self.streamBandwidth)])
            let monitor = try monitor(of: process, step: "save")
            do {
                try monitor.pass(descriptor, as: "suspend")
                try monitor.execute("migrate", ["uri": "fd:suspend"])
            } catch {
                throw .failed(step: "save", reason: "\(error)")
            }
        } catch {
            unlink(image.partial)
            _ = try? await command(vm, "cont")
            throw error
        }
        do throws(HypervisorError) {
            try await waitForStream(of: vm, step: "save")
            try Self.makeDurable(image.partial)
            guard Glibc.rename(image.partial, image.complete) == 0 else {
                throw .failed(step: "save", reason: String(cString: strerror(errno)))
            }
        } catch {
            unlink(image.partial)
            _ = try? await command(vm, "cont")
            throw error
        }
        domains[vm]?.state = .shutdown
        domains[vm]?.guest = nil
        touch(vm)
    }

    public func restore(_ vm: String) async throws(HypervisorError) {
        let domain = try require(vm)
        guard domain.state == .created, domain.process == nil else {
            throw .badState(vm: vm, operation: "restore", state: domain.state)
        }
        let image = savedImage(of: domain.spec.vm).complete
        let descriptor = open(image, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .noSavedImage(vm: vm) }
        defer { close(descriptor) }
        try await launch(vm, incoming: true)
        do throws(HypervisorError) {
            guard let process = domains[vm]?.process else { throw .noSuchDomain(vm: vm) }
            let monitor = try monitor(of: process, step: "restore")
            do {
                try monitor.pass(descriptor, as: "resume")
                try monitor.execute("migrate-incoming", ["uri": "fd:resume"])
            } catch {
                throw .failed(step: "restore", reason: "\(error)")
            }
            try await waitForArrival(of: vm, step: "restore")
        } catch {
            await remove(vm, quitting: true)
            throw error
        }
        unlink(image)
        domains[vm]?.state = .paused
        domains[vm]?.process?.record.built = true
        writeRunRecord(vm)
        touch(vm)
    }

    public func discardSavedImage(_ vm: String) async throws(HypervisorError) {
        guard unlink(savedImage(of: vm).complete) == 0 else { throw .noSavedImage(vm: vm) }
    }

    public func hasSavedImage(_ vm: String) async -> Bool {
        FileManager.default.fileExists(atPath: savedImage(of: vm).complete)
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
    private func awaitAgent(_ vm: String, operation: String) async throws(HypervisorError) {
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

    /// Waits for the outgoing stream of `vm` to complete (`query-migrate`); throws if it fails.
    private func waitForStream(of vm: String, step: String) async throws(HypervisorError) {
        let completed = try await poll(every: Self.streamPoll, within: Self.streamDeadline, step: step) {
            () throws(HypervisorError) -> Bool in
            let qmp = try qmp(vm, for: step)
            let status: String?
            do {
                status = try await qmp.execute("query-migrate")["status"]?.stringValue
            } catch {
                throw .failed(step: step, reason: "\(error)")
            }
            switch status {
            case "completed"?: return true
            case "failed"?, "cancelled"?:
                let reason = (try? await qmp.execute("query-migrate"))?["error-desc"]?.stringValue
                throw .failed(step: step, reason: reason ?? "the stream failed")
            default: return false
            }
        }
        if completed { return }
        _ = try? await qmp(vm, for: step).execute("migrate_cancel")
        throw .failed(step: step, reason: "the stream did not complete within \(Self.streamDeadline)")
    }

    /// Waits for the incoming stream of `vm` to have arrived: the process leaves `inmigrate`.
    func waitForArrival(of vm: String, step: String) async throws(HypervisorError) {
        let arrived = try await poll(every: Self.streamPoll, within: Self.streamDeadline, step: step) {
            () throws(HypervisorError) -> Bool in
            let status: String
            do {
                status = try await qmp(vm, for: step).status()
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
