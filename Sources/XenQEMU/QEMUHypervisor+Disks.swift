import Foundation
import XenBackend
import XenNBD
import XenStorage

/// A disk attached to one process: the VHD it opened, and the NBD server QEMU reads it through
/// (raw disks have neither: QEMU opens their file itself).
struct AttachedDisk: Sendable {
    var image: DiskImage
    var server: NBDServer?
}

/// Disks: a VHD VDI is served to QEMU by our own NBD server over a Unix socket in the run folder
/// (reading and writing its chain with blktap's semantics, as tapdisk serves XenServer's QEMU);
/// a raw one is opened by QEMU directly. Either becomes a virtio disk in a PCI slot fixed by its
/// slot, with the VDI's uuid as its serial.
extension QEMUHypervisor {
    /// How long, from the first request after its NBD server went away (an `xapid` restart),
    /// QEMU holds a disk's requests before it fails them; meanwhile it tries the same socket
    /// again after 1, 2, 4, 8 and then every 16 seconds.
    static let reconnectDelay: Int64 = 300

    /// Attaches `image` as the disk in `slot` of the domain's process (before its first `cont`,
    /// or while it runs).
    func attachDisk(_ image: DiskImage, slot: Int, to vm: String) async throws(HypervisorError) {
        guard let process = domains[vm]?.process else { throw .noSuchDomain(vm: vm) }
        let node = QEMUCommandLine.diskDevice(slot)
        let attached = try await serve(image, slot: slot, in: process.files)
        var blockdev: [String: JSONValue]
        switch image.format {
        case .vhd:
            blockdev = [
                "driver": "nbd", "node-name": .string(node), "export": .string(image.vdi),
                "server": ["type": "unix", "path": .string(Self.diskSocket(slot, in: process.files))],
                "reconnect-delay": .int(Self.reconnectDelay),
            ]
        case .raw:
            blockdev = ["driver": "raw", "node-name": .string(node), "file": ["driver": "file", "filename": .string(image.path)]]
        }
        blockdev["read-only"] = .bool(image.readOnly)
        var device: [String: JSONValue] = [
            "driver": "virtio-blk-pci", "drive": .string(node), "id": .string(node), "serial": .string(String(image.vdi.prefix(20))),
        ]
        if let address = QEMUCommandLine.diskSlot(slot) { device["addr"] = .string(address) }
        do {
            try await process.qmp.execute("blockdev-add", .object(blockdev))
            try await process.qmp.execute("device_add", .object(device))
        } catch {
            _ = try? await process.qmp.execute("blockdev-del", ["node-name": .string(node)])
            release(attached)
            throw .failed(step: "attach disk", reason: "\(error)")
        }
        guard domains[vm]?.process?.record.pid == process.record.pid else {
            release(attached)
            throw .noSuchDomain(vm: vm)
        }
        domains[vm]?.process?.disks[slot] = attached
    }

    /// Serves again the disks of the processes `start` adopted: their NBD servers ended with
    /// the earlier `xapid`, and QEMU, holding their requests, reconnects to the same sockets.
    /// Called once the toolstack has finished what a crash left half done to the disks' files.
    public func serveAdoptedDisks() async {
        for (name, domain) in domains.sorted(by: { $0.key < $1.key }) {
            guard let process = domain.process, process.disks.isEmpty else { continue }
            for slot in domain.spec.disks {
                guard let image = domain.spec.diskImages?[slot] else { continue }
                // One that cannot be served is still recorded, so it can be unplugged.
                let attached = (try? await serve(image, slot: slot, in: process.files)) ?? AttachedDisk(image: image)
                guard domains[name]?.process?.record.pid == process.record.pid else {
                    release(attached)
                    continue
                }
                domains[name]?.process?.disks[slot] = attached
            }
        }
    }

    /// The NBD server's socket of the disk in `slot`, in the process's run folder.
    static func diskSocket(_ slot: Int, in files: QEMURunFiles) -> String {
        files.folder + "/\(QEMUCommandLine.diskDevice(slot)).sock"
    }

    /// What serves `image` to a process: an NBD server on the slot's socket for a VHD (its
    /// requests through the gate every server of that file shares); nothing for a raw disk,
    /// which QEMU opens itself.
    private func serve(_ image: DiskImage, slot: Int, in files: QEMURunFiles) async throws(HypervisorError) -> AttachedDisk {
        guard image.format == .vhd else { return AttachedDisk(image: image) }
        let gate = try open(image)
        do {
            let server = try await NBDServer.bind(path: Self.diskSocket(slot, in: files), exportName: image.vdi, gate: gate)
            _ = work.submit { await server.serve() }
            return AttachedDisk(image: image, server: server)
        } catch {
            unuse(image.path)
            throw .failed(step: "attach disk", reason: "\(error)")
        }
    }

    /// Holds back the requests of every NBD server of the VHD at `path` (they share its gate:
    /// both ends of a migration), waits for those under way, then flushes and closes the file,
    /// as SM pauses tapdisk before it snapshots a disk in use. Pauses of one disk count up: the
    /// first drains it, the others wait for that, and the last unpause reopens it. The file is
    /// paused whichever domain has it open (none: nothing to do).
    public func pauseDisk(_ vm: String, path: String) async throws(HypervisorError) {
        while var disk = openDisks[path] {
            disk.pauses += 1
            openDisks[path] = disk
            if disk.pauses > 1 {
                guard !disk.drained else { return }
                let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<PauseOutcome, Never>) in
                    if openDisks[path]?.gate === disk.gate {
                        openDisks[path]?.waiting.append(continuation)
                    } else {
                        continuation.resume(returning: .released)
                    }
                }
                switch outcome {
                case .drained: return
                case .failed: throw .failed(step: "pause disk", reason: "\(path) could not be paused")
                case .released: continue
                }
            }
            let idle = await disk.gate.close()
            // Released meanwhile (and maybe opened again since): pause what is open now.
            guard openDisks[path]?.gate === disk.gate, let file = idle as? VHDDisk else { continue }
            do {
                try file.flush()
            } catch {
                failPause(path, gate: disk.gate, reopening: file)
                throw .failed(step: "pause disk", reason: "\(error)")
            }
            do {
                try file.close()
            } catch {
                // Closed even so: the guest gets the file opened afresh, or errors if it cannot be.
                let reopened: any NBDExport =
                    (try? VHDDisk(path: path, readOnly: file.readOnly)) ?? UnreadableDisk(size: file.size, readOnly: file.readOnly, path: path)
                failPause(path, gate: disk.gate, reopening: reopened)
                throw .failed(step: "pause disk", reason: "\(error)")
            }
            settle(path, gate: disk.gate, .drained)
            return
        }
    }

    /// Undoes one `pauseDisk`; the last opens the VHD at `path` again (after a snapshot, the
    /// new leaf has that name) and lets the held-back requests through to it. If the file
    /// cannot be opened the requests fail (the guest sees a failed disk, not a hung one).
    public func unpauseDisk(_ vm: String, path: String) async throws(HypervisorError) {
        // Every pause counted was drained first: a later pause returns only once the first has.
        guard var disk = openDisks[path], disk.pauses > 0, disk.drained else { return }
        disk.pauses -= 1
        guard disk.pauses == 0 else {
            openDisks[path] = disk
            return
        }
        disk.drained = false
        openDisks[path] = disk
        let closed = disk.gate.export
        do {
            disk.gate.open(with: try VHDDisk(path: path, readOnly: closed.readOnly))
        } catch {
            disk.gate.open(with: UnreadableDisk(size: closed.size, readOnly: closed.readOnly, path: path))
            throw .failed(step: "unpause disk", reason: "\(error)")
        }
    }

    /// How the first pause of a disk ended, for the pauses waiting on it.
    enum PauseOutcome: Sendable {
        /// Its requests are held and its file closed.
        case drained
        case failed
        /// No process uses the file any more (a pause of the path starts again).
        case released
    }

    /// The first pause of the disk behind `gate` has ended: the pauses waiting on it go on.
    private func settle(_ path: String, gate: NBDExportGate, _ outcome: PauseOutcome) {
        guard openDisks[path]?.gate === gate else { return }
        let waiting = openDisks[path]?.waiting ?? []
        openDisks[path]?.waiting = []
        if outcome == .drained { openDisks[path]?.drained = true }
        for continuation in waiting { continuation.resume(returning: outcome) }
    }

    /// The first pause of the disk behind `gate` failed: the disk goes back to its guest on
    /// `export` and every pause counted is void.
    private func failPause(_ path: String, gate: NBDExportGate, reopening export: any NBDExport) {
        guard openDisks[path]?.gate === gate else { return }
        settle(path, gate: gate, .failed)
        openDisks[path]?.pauses = 0
        gate.open(with: export)
    }

    /// The gate to the VHD at the image's path, opened once however many processes use it.
    private func open(_ image: DiskImage) throws(HypervisorError) -> NBDExportGate {
        if let shared = openDisks[image.path] {
            openDisks[image.path]?.users += 1
            return shared.gate
        }
        do {
            let gate = NBDExportGate(try VHDDisk(path: image.path, readOnly: image.readOnly))
            openDisks[image.path] = OpenDisk(gate: gate, users: 1)
            return gate
        } catch {
            throw .failed(step: "attach disk", reason: "\(error)")
        }
    }

    /// Stops serving the disk (a raw one, or a VHD that could not be served, has nothing to
    /// stop), and closes its VHD when no process uses it any more (pauses waiting on it start
    /// again on whatever has the path open then).
    func release(_ attached: AttachedDisk) {
        guard let server = attached.server else { return }
        server.close()
        unuse(attached.image.path)
    }

    /// One attachment fewer uses the VHD at `path`; the last closes it.
    private func unuse(_ path: String) {
        guard let shared = openDisks[path] else { return }
        if shared.users > 1 {
            openDisks[path]?.users -= 1
        } else {
            settle(path, gate: shared.gate, .released)
            openDisks[path] = nil
            shared.gate.end()
            try? (shared.gate.export as? VHDDisk)?.close()
        }
    }
}

/// A VHD open for guests: the gate its NBD servers share, how many attachments use it, and the
/// pauses holding it (`pauseDisk` calls not yet undone; whether the first has drained the
/// requests and closed the file; the later ones waiting for that).
struct OpenDisk {
    var gate: NBDExportGate
    var users: Int
    var pauses = 0
    var drained = false
    var waiting: [CheckedContinuation<QEMUHypervisor.PauseOutcome, Never>] = []
}

/// What a disk whose file could not be opened again serves: errors for every request, so the
/// guest sees a failed disk rather than one that hangs.
struct UnreadableDisk: NBDExport {
    let size: Int64
    let readOnly: Bool
    let path: String

    func read(at offset: Int64, count: Int) throws -> [UInt8] { throw failure }
    func write(at offset: Int64, _ bytes: [UInt8]) throws { throw failure }
    func flush() throws { throw failure }

    private var failure: HypervisorError { .failed(step: "disk I/O", reason: "\(path) could not be opened again") }
}
