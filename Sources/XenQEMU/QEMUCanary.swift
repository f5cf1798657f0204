import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Chooses the accelerator for `--accelerator auto`: KVM only once a canary guest has booted
/// under it, never because `/dev/kvm` opens or QEMU's `query-kvm` says it is enabled (a nested
/// KVM can pass both and still crash every guest minutes later). The canary is the test guest's
/// kernel and initramfs, booted directly; it has booted when its init writes its first line.
public struct QEMUCanary: Sendable {
    /// The line the test guest's init writes on its console once userspace runs.
    public static let marker = "swift-xapi test guest: userspace up"

    public var program: String
    /// The test guest's folder (`vmlinux`, `initrd.gz`), or `nil` when there is none.
    public var guest: String?
    /// Where the canary's files go (a folder of its own, removed afterwards).
    public var folder: String
    public var kvmDevice: String
    /// How long the canary may take to reach userspace (about 1 s on working KVM).
    public var deadline: Duration
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        program: String = "qemu-system-x86_64", guest: String?, folder: String, kvmDevice: String = "/dev/kvm",
        deadline: Duration = .seconds(20), sleep: @escaping @Sendable (Duration) async throws -> Void
    ) {
        self.program = program
        self.guest = guest
        self.folder = folder
        self.kvmDevice = kvmDevice
        self.deadline = deadline
        self.sleep = sleep
    }

    /// The accelerator to use, and why.
    public func choose() async -> (accelerator: QEMUAccelerator, reason: String) {
        guard let guest else { return (.tcg, "no canary guest to try KVM with (--canary-guest)") }
        guard access(kvmDevice, R_OK | W_OK) == 0 else { return (.tcg, "\(kvmDevice) cannot be opened") }
        try? FileManager.default.removeItem(atPath: folder)
        guard (try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)) != nil else {
            return (.tcg, "cannot make \(folder)")
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let console = folder + "/console.log"
        let arguments = [
            "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot", "-accel", "kvm", "-m", "128",
            "-serial", "file:\(console)", "-kernel", guest + "/vmlinux", "-initrd", guest + "/initrd.gz",
            "-append", "console=ttyS0 quiet noacpid",
        ]
        let process: QEMUProcess
        do {
            process = try QEMUProcess.spawn(program: program, arguments: arguments, log: folder + "/qemu.log")
        } catch {
            return (.tcg, "QEMU did not start: \(error)")
        }
        defer {
            process.send(SIGKILL)
            _ = process.isRunning
        }
        var waited = Duration.zero
        while waited < deadline {
            if let text = try? String(contentsOfFile: console, encoding: .utf8), text.contains(Self.marker) {
                return (.kvm, "a canary guest booted under KVM in \(waited)")
            }
            guard process.isRunning else {
                let log = (try? String(contentsOfFile: folder + "/qemu.log", encoding: .utf8)) ?? ""
                return (.tcg, "QEMU with KVM stopped before the canary guest booted: \(log.suffix(300))")
            }
            do { try await sleep(.milliseconds(250)) } catch { return (.tcg, "cancelled") }
            waited += .milliseconds(250)
        }
        return (.tcg, "the canary guest did not boot under KVM within \(deadline)")
    }
}
