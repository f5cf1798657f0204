import XenDB
import XenRPC

/// What `vm-uninstall` destroys, as xapi's `vm_uninstall` decides it: the VMs (shut down first if
/// they run), their snapshots, and the disks their drives hold that no other VM uses (never CDs,
/// never ISOs).
struct VMUninstall {
    /// VMs and snapshots to destroy, snapshots first.
    let vms: [String]
    /// Disks to destroy after them.
    let vdis: [String]
    let snapshot: Snapshot

    init(snapshot: Snapshot, vms selected: [String]) {
        self.snapshot = snapshot
        var vms: [String] = []
        for vm in selected {
            vms += (snapshot.value("VM", vm, "snapshots")?.arrayValue ?? []).compactMap(\.stringValue)
            vms.append(vm)
        }
        let doomed = Set(vms)
        var vdis: [String] = []
        for vm in vms {
            for vbd in (snapshot.value("VM", vm, "VBDs")?.arrayValue ?? []).compactMap(\.stringValue) {
                guard snapshot.value("VBD", vbd, "type")?.stringValue == "Disk",
                    let vdi = snapshot.value("VBD", vbd, "VDI")?.stringValue, snapshot.contains("VDI", vdi),
                    !vdis.contains(vdi)
                else { continue }
                let users = (snapshot.value("VDI", vdi, "VBDs")?.arrayValue ?? []).compactMap(\.stringValue)
                    .compactMap { snapshot.value("VBD", $0, "VM")?.stringValue }
                if users.allSatisfy(doomed.contains) { vdis.append(vdi) }
            }
        }
        self.vms = vms
        self.vdis = vdis
    }

    /// xe's listing before it asks for confirmation.
    var description: [String] {
        ["The following items are about to be destroyed"]
            + vms.map { "VM : \(uuid("VM", $0)) (\(name("VM", $0)))" }
            + vdis.map { "VDI: \(uuid("VDI", $0)) (\(name("VDI", $0))) " }
    }

    /// Shuts down the VMs that are not halted (at once, as xe does), destroys them, then the
    /// disks, and says so.
    func run(_ run: CommandRun) async throws {
        for vm in vms where snapshot.value("VM", vm, "power_state")?.stringValue != "Halted"
            && snapshot.value("VM", vm, "is_a_snapshot") != .bool(true)
        {
            try await run.runTask("VM.hard_shutdown", .string(vm))
        }
        for vm in vms { try await run.call("VM.destroy", .string(vm)) }
        for vdi in vdis { try await run.call("VDI.destroy", .string(vdi)) }
        await run.print("All objects destroyed")
    }

    private func uuid(_ cls: String, _ ref: String) -> String { snapshot.value(cls, ref, "uuid")?.stringValue ?? ref }
    private func name(_ cls: String, _ ref: String) -> String { snapshot.value(cls, ref, "name_label")?.stringValue ?? "" }
}
