import Foundation
import XenBackend

/// The devices a domain's process is given over QMP: network interfaces (taps on internal
/// networks' bridges, or QEMU's user-mode NAT) and CD media.
extension QEMUHypervisor {
    /// A network interface with the VIF's MAC, in a PCI slot fixed by its device number, so a
    /// guest restored or migrated into a new process finds each interface where it left it. On
    /// an internal network it is a tap on the network's bridge; on an external one (or none) it
    /// is QEMU's user-mode network, which stands in for the physical network this machine does
    /// not lend its guests.
    func addNIC(_ device: Int, mac: String?, network: NetworkLink?, domid: Int64, to qmp: QMPClient)
        async throws(HypervisorError)
    {
        var properties: [String: JSONValue] = [
            "driver": "virtio-net-pci", "netdev": .string("vif\(device)-net"), "id": .string("vif\(device)"),
        ]
        if let slot = QEMUCommandLine.nicSlot(device) { properties["addr"] = .string(slot) }
        if let mac, !mac.isEmpty { properties["mac"] = .string(mac) }
        var backend: [String: JSONValue] = ["type": "user", "id": .string("vif\(device)-net")]
        if let network, !network.external {
            let tap = HostBridges.tapName(domid: domid, device: device)
            try bridges.attach(tap: tap, to: network.bridge)
            backend = [
                "type": "tap", "id": .string("vif\(device)-net"), "ifname": .string(tap), "script": "no", "downscript": "no",
            ]
        }
        do {
            try await qmp.execute("netdev_add", .object(backend))
            try await qmp.execute("device_add", .object(properties))
        } catch QMPError.commandFailed(_, _, let description) where description.contains("Duplicate") {
            throw .deviceAlreadyAttached(vm: "", device: .nic(device))
        } catch {
            _ = try? await qmp.execute("netdev_del", ["id": .string("vif\(device)-net")])
            if let network, !network.external {
                bridges.detach(tap: HostBridges.tapName(domid: domid, device: device), from: network.bridge)
            }
            throw .failed(step: "plug", reason: "\(error)")
        }
    }

    /// Removes the tap of interface `device`, if it is on an internal network's bridge (and the
    /// bridge with it when it was the last).
    func releaseTap(_ device: Int, of spec: DomainSpec, domid: Int64) {
        guard let network = spec.networks?[device], !network.external else { return }
        bridges.detach(tap: HostBridges.tapName(domid: domid, device: device), from: network.bridge)
    }

    /// Removes the taps of every interface of a domain whose process has ended.
    func releaseTaps(of spec: DomainSpec, domid: Int64) {
        for device in spec.nics { releaseTap(device, of: spec, domid: domid) }
    }

    /// Puts the ISO at `media` (a file) into the CD drive in `slot`.
    func insert(_ media: String, into slot: Int, qmp: QMPClient) async throws(HypervisorError) {
        guard FileManager.default.fileExists(atPath: media) else { return }
        do {
            try await qmp.execute(
                "blockdev-change-medium",
                ["id": .string(QEMUCommandLine.cdDevice(slot)), "filename": .string(media), "format": "raw", "read-only-mode": "read-only"])
        } catch {
            throw .failed(step: "insert", reason: "\(error)")
        }
    }
}
