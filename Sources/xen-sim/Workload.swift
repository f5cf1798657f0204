import XenAPI
import XenCore
import XenDB
import XenRPC

/// The random operations a simulation runs, each on a randomly chosen VM or host.
struct Workload: Sendable {
    let random: SimulationRandom
    private static let gib: Int64 = 1 << 30
    private static let vmOperations = [
        "VM.start", "VM.start_on", "VM.resume", "VM.resume_on", "VM.hard_shutdown", "VM.clean_shutdown", "VM.shutdown",
        "VM.clean_reboot", "VM.hard_reboot", "VM.suspend", "VM.pause", "VM.unpause", "VM.pool_migrate", "VM.clone", "VM.copy", "VM.snapshot", "VM.destroy", "VM.add_to_blocked_operations",
        "VM.remove_from_blocked_operations", "VM.set_is_a_template",
    ]
    private static let hostOperations = ["host.disable", "host.enable", "host.evacuate", "host.reboot"]
    private static let diskOperations = ["VDI.snapshot", "VDI.clone", "VDI.destroy", "VDI.resize", "SR.scan"]

    /// What one operation did.
    struct Outcome: Sendable {
        var line: String
        /// What went wrong, if the answer was not one a correct toolstack may give.
        var unexpected: String?
        /// The VM the acknowledged operation made, or destroyed: writes a crash must not lose.
        var made: String?
        var destroyed: String?
    }

    /// Runs one operation; an internal error other than an injected fault is unexpected.
    func step(on pool: SimulatedPool) async throws -> Outcome {
        let snapshot = pool.services.database.snapshot
        let vms = snapshot.objects(VM.self).filter { !$0.isControlDomain && !$0.isATemplate }.map(\.ref)
        let hosts = snapshot.refs(Host.self).sorted { $0.rawValue < $1.rawValue }
        if vms.count < 3 || (vms.count < 8 * hosts.count && random.below(6) == 0) {
            return try await create(on: pool)
        }
        let disks = snapshot.objects(VDI.self).filter { $0.managed && snapshot[$0.sr]?.type == "ext" }
        let choice = random.below(12)
        let (operation, params) =
            choice == 0 ? hostOperation(hosts) : choice == 1 && !disks.isEmpty ? diskOperation(disks) : vmOperation(vms, hosts)
        let result = await pool.call(operation, params)
        let subjects = params.compactMap { $0.stringValue?.suffix(8) }.joined(separator: " ")
        let line = "\(operation) \(subjects) -> \(Self.describe(result))"
        var outcome = Outcome(line: line)
        switch result {
        case .failure(let description):
            if description.first == "INTERNAL_ERROR", !(description.last ?? "").contains("injectedFault") {
                outcome.unexpected = "unexpected failure: \(description)"
            }
            // Files that cannot be read or written: storage broken, not a refusal.
            if ["SR_BACKEND_FAILURE_1200", "SR_BACKEND_FAILURE_65"].contains(description.first ?? "") {
                outcome.unexpected = "storage failure: \(description)"
            }
        case .success(let value), .bare(let value):
            if ["VM.clone", "VM.copy", "VM.snapshot"].contains(operation) { outcome.made = value.stringValue }
            if operation == "VM.destroy" { outcome.destroyed = params.first?.stringValue }
        }
        return outcome
    }

    private func vmOperation(_ vms: [Ref<VM>], _ hosts: [Ref<Host>]) -> (String, [RPCValue]) {
        let operation = random.element(Self.vmOperations)!
        var params: [RPCValue] = [random.element(vms)!.rpcValue]
        switch operation {
        case "VM.start", "VM.resume": params += [.bool(random.below(5) == 0), false]
        case "VM.start_on", "VM.resume_on": params += [random.element(hosts)!.rpcValue, .bool(random.below(5) == 0), false]
        case "VM.pool_migrate": params += [random.element(hosts)!.rpcValue, .structure(["live": "true"])]
        case "VM.clone", "VM.snapshot": params += [.string("copy-\(random.below(1_000_000))")]
        case "VM.copy": params += [.string("copy-\(random.below(1_000_000))"), .string("OpaqueRef:NULL")]
        case "VM.add_to_blocked_operations": params += [.string(random.element(["start", "suspend", "pool_migrate"])!), "simulated"]
        case "VM.remove_from_blocked_operations": params += [.string(random.element(["start", "suspend", "pool_migrate"])!)]
        case "VM.set_is_a_template": params += [.bool(true)]
        default: break
        }
        return (operation, params)
    }

    private func diskOperation(_ disks: [ObjectView<VDI>]) -> (String, [RPCValue]) {
        let operation = random.element(Self.diskOperations)!
        let disk = random.element(disks)!
        switch operation {
        case "SR.scan": return (operation, [disk.sr.rpcValue])
        case "VDI.snapshot", "VDI.clone": return (operation, [disk.ref.rpcValue, .structure([:])])
        case "VDI.resize": return (operation, [disk.ref.rpcValue, .string(String(disk.virtualSize + Int64(random.below(3)) << 21))])
        default: return (operation, [disk.ref.rpcValue])
        }
    }

    private func hostOperation(_ hosts: [Ref<Host>]) -> (String, [RPCValue]) {
        (random.element(Self.hostOperations)!, [random.element(hosts)!.rpcValue])
    }

    /// A new VM of 1 to 16 GiB; one in five has no guest agent.
    private func create(on pool: SimulatedPool) async throws -> Outcome {
        let memory = Int64(1 + random.below(16)) * Self.gib
        var record = VM()
        record.nameLabel = "sim-\(random.below(1_000_000))"
        record.memoryStaticMax = memory
        record.memoryDynamicMax = memory
        record.memoryDynamicMin = memory
        record.memoryStaticMin = memory
        record.vcpusMax = 1
        record.vcpusAtStartup = 1
        record.actionsAfterShutdown = .destroy
        record.actionsAfterReboot = .restart
        record.actionsAfterCrash = .restart
        if random.below(5) == 0 { record.otherConfig["simulated-guest-agent"] = "false" }
        let result = await pool.call("VM.create", [record.rpcValue])
        var outcome = Outcome(line: "VM.create \(memory / Self.gib) GiB -> \(Self.describe(result))")
        guard case .success(let ref) = result else { return outcome }
        outcome.made = ref.stringValue
        // Two in three get a disk of 4 to 64 MiB in the pool's default SR.
        guard random.below(3) > 0, let sr = pool.services.database.snapshot.objects(Pool.self).first?.defaultSR else { return outcome }
        var disk = VDI()
        disk.nameLabel = record.nameLabel + "-disk"
        disk.sr = sr
        disk.virtualSize = Int64(2 + random.below(31)) << 21
        disk.type = .system
        let made = await pool.call("VDI.create", [disk.rpcValue])
        outcome.line += ", VDI.create -> \(Self.describe(made))"
        guard case .success(let vdi) = made else { return outcome }
        var drive = VBD()
        drive.vm = Ref(ref.stringValue ?? "")
        drive.vdi = Ref(vdi.stringValue ?? "")
        drive.userdevice = "0"
        drive.bootable = true
        drive.mode = .rw
        drive.type = .disk
        outcome.line += ", VBD.create -> \(Self.describe(await pool.call("VBD.create", [drive.rpcValue])))"
        return outcome
    }

    private static func describe(_ result: CallResult) -> String {
        switch result {
        case .success(let value), .bare(let value): value.stringValue.map { "ok \($0.suffix(8))" } ?? "ok"
        case .failure(let description): description.joined(separator: " ")
        }
    }
}
