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
    /// Attaches `image` as the disk in `slot` of the domain's process (before its first `cont`,
    /// or while it runs).
    func attachDisk(_ image: DiskImage, slot: Int, to vm: String) async throws(HypervisorError) {
        guard let process = domains[vm]?.process else { throw .noSuchDomain(vm: vm) }
        let node = QEMUCommandLine.diskDevice(slot)
        var attached = AttachedDisk(image: image)
        var blockdev: [String: JSONValue]
        switch image.format {
        case .vhd:
            let disk = try open(image)
            let socket = process.files.folder + "/\(node).sock"
            let server: NBDServer
            do {
                server = try await NBDServer.bind(path: socket, exportName: image.vdi, export: disk)
            } catch {
                release(AttachedDisk(image: image))
                throw .failed(step: "attach disk", reason: "\(error)")
            }
            _ = work.submit { await server.serve() }
            attached.server = server
            blockdev = [
                "driver": "nbd", "node-name": .string(node), "export": .string(image.vdi),
                "server": ["type": "unix", "path": .string(socket)],
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
        domains[vm]?.process?.disks[slot] = attached
    }

    /// The VHD at the image's path, opened once however many processes use it.
    private func open(_ image: DiskImage) throws(HypervisorError) -> VHDDisk {
        if let shared = openDisks[image.path] {
            openDisks[image.path]?.users += 1
            return shared.disk
        }
        do {
            let disk = try VHDDisk(path: image.path, readOnly: image.readOnly)
            openDisks[image.path] = (disk, 1)
            return disk
        } catch {
            throw .failed(step: "attach disk", reason: "\(error)")
        }
    }

    /// Stops serving the disk, and closes its VHD when no process uses it any more.
    func release(_ attached: AttachedDisk) {
        attached.server?.close()
        guard attached.image.format == .vhd, let shared = openDisks[attached.image.path] else { return }
        if shared.users > 1 {
            openDisks[attached.image.path]?.users -= 1
        } else {
            openDisks[attached.image.path] = nil
            try? shared.disk.close()
        }
    }
}
