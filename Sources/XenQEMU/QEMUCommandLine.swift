/// What one VM's QEMU process is started with: everything its command line says, taken from the
/// VM's records. Disks and network interfaces are not here: they are added over QMP, before the
/// first `cont` or while the guest runs, so cold and hot plug take one path.
public struct QEMUMachine: Sendable, Hashable, Codable {
    /// How the guest boots.
    public enum Boot: Sendable, Hashable, Codable {
        /// A kernel and initial ramdisk loaded by QEMU (a VM's `PV_kernel`, `PV_ramdisk`, `PV_args`).
        case direct(kernel: String, ramdisk: String?, arguments: String)
        /// The firmware, trying devices in `order` (xapi's `HVM_boot_params:order`: `c` disk,
        /// `d` CD, `n` network).
        case firmware(order: String)
    }

    /// The VM's uuid (QEMU's `-uuid`, which the guest reads as its system uuid).
    public var uuid: String
    /// The VM's name label, shown in the process list.
    public var name: String
    /// Guest memory, in MiB.
    public var memoryMiB: Int64
    public var vcpus: Int
    /// The most VCPUs the guest may be given while it runs (`VCPUs_max`).
    public var maxVCPUs: Int
    public var accelerator: QEMUAccelerator
    /// A versioned machine type, the same on every host of a pool so guests migrate.
    public var machineType: String
    /// A named CPU model runnable on every host of the pool (never `host`).
    public var cpuModel: String
    public var boot: Boot
    /// The CD drives, by slot (the VBD's `userdevice`, 0–3: the two IDE buses' master and
    /// slave, as on XenServer); media are inserted over QMP.
    public var cdSlots: [Int]
    /// Whether the process waits for an incoming migration stream (resume and migration).
    public var incoming: Bool

    public init(
        uuid: String, name: String, memoryMiB: Int64, vcpus: Int, maxVCPUs: Int, accelerator: QEMUAccelerator,
        machineType: String = QEMUMachine.defaultMachineType, cpuModel: String = QEMUMachine.defaultCPUModel, boot: Boot,
        cdSlots: [Int] = [], incoming: Bool = false
    ) {
        self.uuid = uuid
        self.name = name
        self.memoryMiB = memoryMiB
        self.vcpus = vcpus
        self.maxVCPUs = maxVCPUs
        self.accelerator = accelerator
        self.machineType = machineType
        self.cpuModel = cpuModel
        self.boot = boot
        self.cdSlots = cdSlots
        self.incoming = incoming
    }

    /// `pc` (i440fx), which hot-plugs on its root bus, versioned so both ends of a migration agree.
    public static let defaultMachineType = "pc-i440fx-7.2"
    /// A model every x86-64 host runs under TCG and KVM alike.
    public static let defaultCPUModel = "qemu64"
}

/// Which accelerator runs the guest's code.
public enum QEMUAccelerator: String, Sendable, Hashable, Codable {
    /// QEMU's own translator: slow, and works everywhere.
    case tcg
    /// The kernel's hypervisor.
    case kvm
}

/// The files of one running VM, all in its run folder.
public struct QEMURunFiles: Sendable, Hashable {
    public let folder: String

    public init(folder: String) { self.folder = folder }

    /// The QMP socket.
    public var qmp: String { folder + "/qmp.sock" }
    /// The second QMP socket, on which file descriptors are handed over (`getfd`).
    public var descriptorMonitor: String { folder + "/qmp-fd.sock" }
    /// Where a process readied for a migration listens for the guest.
    public var migration: String { folder + "/migration.sock" }
    /// The guest agent's socket (the host end of its virtio-serial port).
    public var agent: String { folder + "/qga.sock" }
    /// The pidfile, locked by QEMU: a second QEMU for the same VM refuses to start.
    public var pid: String { folder + "/qemu.pid" }
    /// The guest's serial console.
    public var console: String { folder + "/console.log" }
    /// QEMU's own output.
    public var log: String { folder + "/qemu.log" }
    /// The machine the process was started with, to check a process found after a restart.
    public var machine: String { folder + "/machine.json" }
}

/// Builds QEMU's command line from a `QEMUMachine`: a pure function, so what a VM is started
/// with can be read and tested without starting anything.
public enum QEMUCommandLine {
    /// The descriptor QEMU finds its QMP socket on (`QEMUProcess.spawn`'s `monitor`).
    public static let monitorDescriptor: Int32 = 3

    /// The guest agent's port name, which `qemu-ga` looks for.
    public static let agentPort = "org.qemu.guest_agent.0"

    /// The arguments after the program name.
    public static func arguments(for machine: QEMUMachine, files: QEMURunFiles) -> [String] {
        var arguments = [
            "-name", "guest=\(optionValue(machine.name)),process=qemu-\(machine.uuid.prefix(8))",
            "-uuid", machine.uuid,
            "-S", "-no-shutdown", "-nodefaults", "-no-user-config", "-display", "none",
            // A guest's reboot ends the domain, as on Xen: the toolstack starts the next boot.
            "-action", "reboot=shutdown",
            "-machine", machine.machineType,
            "-accel", machine.accelerator.rawValue,
            "-cpu", machine.cpuModel,
            "-m", "\(machine.memoryMiB)",
            "-smp", "\(machine.vcpus),maxcpus=\(max(machine.vcpus, machine.maxVCPUs))",
            // QMP listens on the socket bound at `files.qmp` and handed over as a descriptor.
            "-chardev", "socket,id=qmp0,fd=\(monitorDescriptor),server=on,wait=off",
            "-mon", "chardev=qmp0,mode=control",
            "-qmp", "unix:\(optionValue(files.descriptorMonitor)),server=on,wait=off",
            "-pidfile", files.pid,
            "-serial", "file:\(files.console)",
            "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
            "-device", "virtio-serial-pci,id=vser0",
            "-chardev", "socket,id=qga0,path=\(optionValue(files.agent)),server=on,wait=off",
            "-device", "virtserialport,bus=vser0.0,chardev=qga0,name=\(agentPort)",
            "-device", "virtio-balloon-pci,id=balloon0",
        ]
        switch machine.boot {
        case .direct(let kernel, let ramdisk, let kernelArguments):
            arguments += ["-kernel", kernel]
            if let ramdisk { arguments += ["-initrd", ramdisk] }
            arguments += ["-append", kernelArguments]
        case .firmware(let order):
            let devices = order.filter { "cdn".contains($0) }
            arguments += ["-boot", "order=\(devices.isEmpty ? "cd" : devices)"]
        }
        for slot in machine.cdSlots.sorted() {
            arguments += ["-device", "ide-cd,bus=ide.\(slot / 2),unit=\(slot % 2),id=\(cdDevice(slot))"]
        }
        if machine.incoming { arguments += ["-incoming", "defer"] }
        return arguments
    }

    /// The PCI slot of network interface `device` (0–7, slots 0x18–0x1f), fixed so that the
    /// process a guest is restored or migrated into has each interface where the guest left it;
    /// `nil` (a slot QEMU picks) beyond.
    public static func nicSlot(_ device: Int) -> String? {
        (0..<8).contains(device) ? "0x" + String(0x18 + device, radix: 16) : nil
    }

    /// The PCI slot of the disk in `slot` (0–15, slots 0x04–0x13), fixed as the interfaces' are;
    /// `nil` (a slot QEMU picks) beyond.
    public static func diskSlot(_ slot: Int) -> String? {
        (0..<16).contains(slot) ? "0x" + String(0x04 + slot, radix: 16) : nil
    }

    /// The QEMU device and node id of the disk in `slot`.
    public static func diskDevice(_ slot: Int) -> String { "vbd\(slot)" }

    /// The QEMU device id of the CD drive in `slot`.
    public static func cdDevice(_ slot: Int) -> String { "cd\(slot)" }

    /// A value inside a `key=value,…` option: QEMU reads a doubled comma as a literal one.
    static func optionValue(_ text: String) -> String {
        text.split(separator: ",", omittingEmptySubsequences: false).joined(separator: ",,")
    }
}
