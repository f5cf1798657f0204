/// What the toolstack needs from a hypervisor, in the shape of xenopsd's backend signature
/// (`xenops_server_plugin.ml`): host facts, and the atomic operations on a domain that every
/// VM operation is planned from. The simulator implements it first; the QEMU/KVM backend later.
///
/// Domains are named by the VM's uuid. Every operation may fail (a fault, or the real hardware
/// refusing); the toolstack reconciles with `stat` and `updates(since:)`, level-triggered, so a
/// lost answer converges instead of corrupting state.
public protocol Hypervisor: Sendable {
    /// Memory, CPUs and what is free now.
    func hostFacts() async throws(HypervisorError) -> HostFacts

    /// Creates an empty paused domain and reserves its memory; returns its domain id.
    func create(_ spec: DomainSpec) async throws(HypervisorError) -> Int64
    /// Loads the guest (kernel or firmware) into a created domain; it stays paused.
    func build(_ vm: String) async throws(HypervisorError)
    func pause(_ vm: String) async throws(HypervisorError)
    func unpause(_ vm: String) async throws(HypervisorError)
    /// Asks the guest to shut down (or reboot); false when nothing in the guest can hear it
    /// (no guest agent and no PV kernel).
    func requestShutdown(_ vm: String, reason: ShutdownReason) async throws(HypervisorError) -> Bool
    /// Waits until the guest has shut down, at most `timeout`; false on timeout.
    func waitShutdown(_ vm: String, timeout: Duration) async throws(HypervisorError) -> Bool
    /// Destroys the domain and frees its memory, whatever state it is in.
    func destroy(_ vm: String) async throws(HypervisorError)
    /// Destroys the domain only if it is still in `state` when the destruction happens (a
    /// domain readied for a migration may receive its guest meanwhile); false when it is not.
    func destroy(_ vm: String, ifStill state: DomainStat.State) async throws(HypervisorError) -> Bool
    /// Gives the domain of `vm` the name `name`, whatever its state, so that a new domain can
    /// take the VM's name on the same host: a migration to the host the VM is on sets the
    /// departing domain aside this way (xenopsd's `VM_rename`).
    func rename(_ vm: String, to name: String) async throws(HypervisorError)
    /// Suspends a running guest into `image` (the VM's suspend VDI, framed as XenStorage's
    /// `SuspendImage`), noting that the image is finished; the domain is left shut down (destroy
    /// it to free its memory). A backend whose guests have no memory to write (the simulator's)
    /// keeps a token instead. Fails if nothing in the guest can take part.
    func save(_ vm: String, to image: DiskImage?) async throws(HypervisorError)
    /// Loads the saved image from `image` into a created domain, which stays paused; the image is
    /// used up (its disk is the toolstack's to remove).
    func restore(_ vm: String, from image: DiskImage?) async throws(HypervisorError)
    /// Forgets a saved image without restoring it (a suspended VM shut down).
    func discardSavedImage(_ vm: String) async throws(HypervisorError)
    /// Whether a finished saved image waits to be restored.
    func hasSavedImage(_ vm: String) async -> Bool

    /// Hot-plugs a device into a running domain, with what backs it here (a disk's file, an
    /// interface's address); fails if nothing in the guest can take part.
    func plug(_ vm: String, _ device: VirtualDevice, backing: DeviceBacking?) async throws(HypervisorError)
    /// Hot-unplugs a device from a running domain (`force`: without asking the guest).
    func unplug(_ vm: String, _ device: VirtualDevice, force: Bool) async throws(HypervisorError)
    /// Holds back the I/O of the domain's disk whose file is at `path` and lets go of the file,
    /// so the disk's files can be changed underneath it (a snapshot or clone of a disk in use),
    /// as SM pauses tapdisk; the guest sees a slow disk. Pauses of one disk count up. Nothing to
    /// do for a disk the backend does not serve itself.
    func pauseDisk(_ vm: String, path: String) async throws(HypervisorError)
    /// Undoes one `pauseDisk`; the last opens the disk's file again (at the same path: after a
    /// snapshot, the new leaf) and lets the held-back I/O through (if the file cannot be opened,
    /// the guest's I/O fails rather than hangs, and so does this). Nothing to do for a disk not
    /// paused, or a domain gone meanwhile.
    func unpauseDisk(_ vm: String, path: String) async throws(HypervisorError)
    /// Puts media (the disc's file, or its uuid when it has none here) into a CD drive of a
    /// domain, or with `nil` takes it out.
    func changeMedia(_ vm: String, drive: Int, media: String?) async throws(HypervisorError)
    /// Asks a running or paused domain's guest to use `bytes` of memory (between its boot
    /// memory's floor and `DomainSpec.maxMemory`), its balloon driver giving back or taking the
    /// difference; returns what the guest uses once it has settled, or stopped moving (a guest
    /// without the driver never moves). Fails if the host cannot give the growth.
    func setMemoryTarget(_ vm: String, bytes: Int64) async throws(HypervisorError) -> Int64
    /// Hot-plugs VCPUs into or out of a running domain until it has `count` (1 to
    /// `DomainSpec.maxVCPUs`); fails if nothing in the guest can take part.
    func setVCPUs(_ vm: String, count: Int64) async throws(HypervisorError)

    /// Readies a created domain to take a live migration; returns where the sender sends the guest.
    func receiveMigration(_ vm: String) async throws(HypervisorError) -> MigrationEndpoint
    /// Sends a running guest to `endpoint` while it runs, then stops it: afterwards the receiving
    /// domain holds the guest, paused, and this one is shut down (destroy it to free its memory).
    /// Fails if nothing in the guest can take part.
    func sendMigration(_ vm: String, to endpoint: MigrationEndpoint) async throws(HypervisorError)

    /// The domain's state now; `nil` if there is none.
    func stat(_ vm: String) async -> DomainStat?
    /// The domains that changed after `generation`, and the generation to ask from next.
    func updates(since generation: Int64) async -> (generation: Int64, changed: [String])
    /// What the guest of a running domain wrote to its disks since last asked, for a backend
    /// whose guests do not write the disk files themselves (the simulator's); a backend whose
    /// guests do (QEMU's) has none to report.
    func guestDiskWrites(_ vm: String) async -> [GuestDiskWrite]
}

/// One write a simulated guest made to a disk: where (a position the toolstack maps into the
/// disk, 4 KiB-aligned), how much, and a seed for its bytes.
public struct GuestDiskWrite: Sendable, Hashable {
    /// The disk's slot (its drive's `userdevice`).
    public var disk: Int
    public var position: UInt64
    /// Bytes, a multiple of 4 KiB.
    public var length: Int
    public var seed: UInt64

    public init(disk: Int, position: UInt64, length: Int, seed: UInt64) {
        self.disk = disk
        self.position = position
        self.length = length
        self.seed = seed
    }
}

/// A domain to create: what the VM record asks for.
public struct DomainSpec: Sendable, Hashable, Codable {
    /// The VM's uuid, which names the domain.
    public var vm: String
    public var name: String
    /// Memory the domain gets at boot (the VM's dynamic maximum plus its overhead), in bytes.
    public var memory: Int64
    public var vcpus: Int64
    public var hvm: Bool
    /// Whether the guest runs an agent (PV drivers, guest tools) that answers shutdown requests.
    public var guestAgent: Bool
    /// The device numbers of the domain's network interfaces.
    public var nics: [Int]
    /// The slots of the domain's disks.
    public var disks: [Int]
    /// The media in the domain's CD drives, by slot: the disc's file, or its uuid when it has
    /// none here (`nil`: the drive is empty).
    public var media: [Int: String?]
    /// How the guest boots (`nil`: from its drives, CD first, as the simulator assumes).
    public var boot: DomainBoot?
    /// The hardware address of each network interface, by device number.
    public var macs: [Int: String]?
    /// What each disk slot holds, where the disk has a file here (a hypervisor whose guests
    /// read real disks opens it; the simulator's do not).
    public var diskImages: [Int: DiskImage]?
    /// The network each interface is on, by device number.
    public var networks: [Int: NetworkLink]?
    /// The most memory the domain may grow to while it runs (the VM's static maximum plus its
    /// overhead), in bytes; `nil`: `memory`.
    public var maxMemory: Int64?
    /// The most VCPUs the domain may be given while it runs (`VCPUs_max`); `nil`: `vcpus`.
    public var maxVCPUs: Int64?

    public init(
        vm: String, name: String, memory: Int64, vcpus: Int64, hvm: Bool, guestAgent: Bool, nics: [Int] = [],
        disks: [Int] = [], media: [Int: String?] = [:], boot: DomainBoot? = nil, macs: [Int: String]? = nil,
        diskImages: [Int: DiskImage]? = nil, networks: [Int: NetworkLink]? = nil, maxMemory: Int64? = nil,
        maxVCPUs: Int64? = nil
    ) {
        self.boot = boot
        self.maxVCPUs = maxVCPUs
        self.maxMemory = maxMemory
        self.networks = networks
        self.macs = macs
        self.diskImages = diskImages
        self.vm = vm
        self.name = name
        self.memory = memory
        self.vcpus = vcpus
        self.hvm = hvm
        self.guestAgent = guestAgent
        self.nics = nics
        self.disks = disks
        self.media = media
    }
}

/// The file behind a disk, as the storage layer keeps it.
public struct DiskImage: Sendable, Hashable, Codable {
    public enum Format: String, Sendable, Hashable, Codable {
        /// A VHD, maybe the leaf of a chain (read and written with blktap's semantics).
        case vhd
        /// The bytes of the disk as they are.
        case raw
    }

    public var path: String
    public var format: Format
    public var readOnly: Bool
    /// The VDI's uuid (the disk's serial number in the guest).
    public var vdi: String

    public init(path: String, format: Format, readOnly: Bool, vdi: String) {
        self.path = path
        self.format = format
        self.readOnly = readOnly
        self.vdi = vdi
    }
}

/// What backs a device being plugged.
public enum DeviceBacking: Sendable, Hashable {
    /// A disk's file.
    case disk(DiskImage)
    /// A network interface's hardware address, and the network it is on.
    case nic(mac: String, network: NetworkLink?)
}

/// The network a domain's interface is on: its bridge, and whether it leaves the host.
public struct NetworkLink: Sendable, Hashable, Codable {
    /// The network's bridge (`Network.bridge`).
    public var bridge: String
    /// Whether the network has an uplink on the host (a PIF); one without is internal, a switch
    /// among the host's VMs, as xapi's networks without PIFs are.
    public var external: Bool

    public init(bridge: String, external: Bool) {
        self.bridge = bridge
        self.external = external
    }
}

/// How a domain's guest boots.
public enum DomainBoot: Sendable, Hashable, Codable {
    /// A kernel and ramdisk loaded by the hypervisor (a VM's `PV_kernel`, `PV_ramdisk`, `PV_args`).
    case direct(kernel: String, ramdisk: String?, arguments: String)
    /// The firmware, trying drives in `order` (`HVM_boot_params:order`: `c` disk, `d` CD, `n` network).
    case firmware(order: String)
}

/// A device of a domain, by kind and slot.
public enum VirtualDevice: Sendable, Hashable, Codable {
    case nic(Int)
    case disk(Int)
    case cd(Int)
}

/// A host's resources.
public struct HostFacts: Sendable, Hashable {
    public var totalMemory: Int64
    public var freeMemory: Int64
    public var cpuCount: Int

    public init(totalMemory: Int64, freeMemory: Int64, cpuCount: Int) {
        self.totalMemory = totalMemory
        self.freeMemory = freeMemory
        self.cpuCount = cpuCount
    }
}

/// What a guest is asked to do.
public enum ShutdownReason: String, Sendable, Hashable {
    case poweroff, reboot, suspend
}

/// A domain as the hypervisor sees it.
public struct DomainStat: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, Codable {
        /// Created, with nothing loaded into it yet: half-made, never a VM's settled state.
        case created
        /// Built or restored, not running yet; or paused by request.
        case paused
        case running
        /// The guest has shut down; the domain still holds its memory until destroyed.
        case shutdown
    }

    /// What the domain was created from.
    public var spec: DomainSpec
    public var domid: Int64
    public var state: State
    /// What the guest agent reports, while the guest runs one and is up.
    public var guest: GuestReport?
    /// Why a guest that shut down on its own did (`nil` while it runs, or when the toolstack
    /// stopped it).
    public var exit: GuestExit?

    public init(spec: DomainSpec, domid: Int64, state: State, guest: GuestReport?, exit: GuestExit? = nil) {
        self.spec = spec
        self.domid = domid
        self.state = state
        self.guest = guest
        self.exit = exit
    }
}

/// How a guest ended its run on its own, which the VM's `actions_after_shutdown`,
/// `actions_after_reboot` and `actions_after_crash` answer.
public enum GuestExit: String, Sendable, Hashable, Codable {
    case poweroff, reboot, crash
}

/// What a guest agent tells the toolstack (xapi's `VM_guest_metrics`).
public struct GuestReport: Sendable, Hashable {
    /// Addresses by interface: `"0/ip"`, `"0/ipv6/0"`.
    public var networks: [String: String]
    public var osVersion: [String: String]
    public var pvDriversVersion: [String: String]

    public init(networks: [String: String], osVersion: [String: String], pvDriversVersion: [String: String]) {
        self.networks = networks
        self.osVersion = osVersion
        self.pvDriversVersion = pvDriversVersion
    }
}

/// Why a hypervisor operation failed.
public enum HypervisorError: Error, Sendable, Hashable {
    /// Not enough free memory to create the domain.
    case notEnoughMemory(needed: Int64, available: Int64)
    /// No domain for the VM.
    case noSuchDomain(vm: String)
    /// A domain for the VM exists already.
    case domainExists(vm: String)
    /// The operation does not fit the domain's state (unpausing a domain that is not built…).
    case badState(vm: String, operation: String, state: DomainStat.State)
    /// A fault injected at this step (simulation).
    case injectedFault(step: String)
    /// No saved image for the VM.
    case noSavedImage(vm: String)
    /// The guest cannot take part in the operation (no agent, no PV drivers).
    case guestCannotCooperate(vm: String, operation: String)
    /// The calling task was cancelled during the step.
    case cancelled(step: String)
    /// The domain has (or lacks) the device already.
    case deviceAlreadyAttached(vm: String, device: VirtualDevice)
    case deviceNotAttached(vm: String, device: VirtualDevice)
    /// Nothing waits for a migration at the endpoint.
    case noMigrationReceiver(endpoint: String)
    /// The host keeps no backup of an earlier release to go back to.
    case noBackupRelease
    /// This hypervisor cannot carry out the operation.
    case notSupported(operation: String)
    /// The hypervisor failed at a step (a process that would not start, a command refused).
    case failed(step: String, reason: String)
}
