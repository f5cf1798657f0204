import Foundation
import XenBackend

/// How this machine runs its VMs under QEMU.
public struct QEMUHostSettings: Sendable {
    /// The QEMU program (looked up on `PATH`).
    public var program: String
    /// Where each running VM gets its run folder (sockets, pidfile, logs).
    public var runRoot: String
    /// Where the images of suspended VMs are kept (one file per VM, named by its uuid).
    public var savedImageRoot: String
    public var accelerator: QEMUAccelerator
    public var machineType: String
    public var cpuModel: String
    /// Memory kept for the host itself and QEMU's own use, never given to guests.
    public var reservedMemory: Int64
    /// QEMU's own memory beyond the guest's (≈ 170 MiB resident under TCG, measured).
    public var overheadPerVM: Int64
    /// The network namespace the bridges of internal networks, their taps and the QEMU
    /// processes live in (made if missing); `nil`: the machine's own.
    public var networkNamespace: String?

    public init(
        program: String = "qemu-system-x86_64", runRoot: String, savedImageRoot: String? = nil, accelerator: QEMUAccelerator,
        machineType: String = QEMUMachine.defaultMachineType, cpuModel: String = QEMUMachine.defaultCPUModel,
        reservedMemory: Int64 = 1 << 30, overheadPerVM: Int64 = 192 << 20, networkNamespace: String? = nil
    ) {
        self.networkNamespace = networkNamespace
        self.program = program
        self.runRoot = runRoot
        self.savedImageRoot = savedImageRoot ?? runRoot + "-saved"
        self.accelerator = accelerator
        self.machineType = machineType
        self.cpuModel = cpuModel
        self.reservedMemory = reservedMemory
        self.overheadPerVM = overheadPerVM
    }

    /// The machine's memory (`/proc/meminfo`'s `MemTotal`) and CPU count.
    public static func machineResources() -> (memory: Int64, cpus: Int) {
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let kib = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }.flatMap {
            $0.split(separator: " ").dropFirst().first.flatMap { Int64($0) }
        }
        return ((kib ?? 0) * 1024, ProcessInfo.processInfo.activeProcessorCount)
    }
}
