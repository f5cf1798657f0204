import Foundation
import Synchronization
import XenAPI
import XenCore
import XenDB
import XenRPC

/// A rolling operation (upgrade or reboot) of a loaded pool, run by the server's engine while
/// faults hit hypervisor and package steps and the toolstack crashes or restarts under it. The
/// simulation only watches (`event.from` on the run) and checks, after every step, the pool's
/// invariants and the run's: no VM that was running stops or is lost, no VM moves to an older
/// release than it ran on, no host holds more than its memory; and at the end the run is done
/// (every host at the new release) or stopped with a record that says why.
final class RollingScenario: Sendable {
    let random: SimulationRandom
    let kind: String
    /// How full each host's memory is with running VMs, in percent.
    let loadPercent: Int
    /// Whether the fault oracle fails steps (off while the pool is loaded).
    let faultsOn = Atomic(false)

    init(random: SimulationRandom, kind: String, loadPercent: Int, targeted: (step: String, skip: Int, times: Int)) {
        self.targeted = Mutex(targeted)
        self.random = random
        self.kind = kind
        self.loadPercent = loadPercent
    }

    private static let gib: Int64 = 1 << 30

    /// A folder holding `release.json` for an upgrade to 8.5.0.
    static func releaseFolder(in root: String) throws -> String {
        let folder = root + "/release-8.5"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let release = #"{"product_version": "8.5.0", "platform_version": "3.5.0", "xapi_version": "26.1.0", "packages": []}"#
        try Data(release.utf8).write(to: URL(fileURLWithPath: folder + "/release.json"))
        return folder
    }

    /// Starts VMs of 1 to 4 GiB on each host until it is `loadPercent` full; returns them.
    func load(_ pool: SimulatedPool) async throws -> [Ref<VM>] {
        let snapshot = pool.services.database.snapshot
        let template = snapshot.objects(VM.self).first { $0.nameLabel == "Other install media" && $0.isATemplate }
        guard let template else { throw XenAPIError.internalError(message: "no template") }
        var vms: [Ref<VM>] = []
        for host in snapshot.objects(Host.self).sorted(by: { $0.uuid < $1.uuid }) {
            let total = snapshot[host.metrics]?.memoryTotal ?? 0
            var left = (total - (4 << 30)) * Int64(loadPercent) / 100
            while true {
                let size = Int64(1 + random.below(4)) * Self.gib
                guard size <= left else { break }
                let vm = try value(await pool.call("VM.clone", [.string(template.ref.rawValue), .string("vm-\(vms.count)")]))
                _ = try value(await pool.call("VM.set_is_a_template", [vm, .bool(false)]))
                _ = try value(await pool.call("VM.set_memory_limits", [vm, .int(size), .int(size), .int(size), .int(size)]))
                guard case .success = await pool.call("VM.start_on", [vm, .string(host.ref.rawValue), .bool(false), .bool(false)]) else {
                    break
                }
                vms.append(Ref(vm.stringValue ?? ""))
                left -= size + (size >> 6)
            }
        }
        return vms
    }

    /// Plans and starts the run; returns it, or nil when the prechecks refuse it.
    func start(_ pool: SimulatedPool, source: String) async throws -> Ref<RollingOperation>? {
        let poolRef = pool.services.database.snapshot.refs(Pool.self).first?.rawValue ?? ""
        var options: [String: RPCValue] = ["auto_fix": "true"]
        if kind == "upgrade" { options["source"] = .string(source) }
        let run = try value(await pool.call("pool.plan_rolling_operation", [.string(poolRef), .string(kind), .structure(.init(uniqueKeysWithValues: options.sorted { $0.key < $1.key }))]))
        if case .failure(let error) = await pool.call("Rolling_operation.start", [run]) {
            if error.first == "ROLLING_OPERATION_BLOCKED" {
                blockers.withLock { $0 = (error.last ?? "").split(separator: "\n").map(String.init) }
                return nil
            }
            throw XenAPIError(errorDescription: error)
        }
        faultsOn.store(true, ordering: .sequentiallyConsistent)
        return Ref(run.stringValue ?? "")
    }

    /// What refused the start, if the prechecks did.
    let blockers = Mutex<[String]>([])
    /// A step that fails on purpose: its name, how many asks pass first, how many then fail.
    let targeted: Mutex<(step: String, skip: Int, times: Int)>

    /// Whether the targeted fault fails this ask of `step`.
    func targetedFault(_ step: String) -> Bool {
        targeted.withLock { fault in
            guard fault.step == step, fault.times > 0 else { return false }
            if fault.skip > 0 {
                fault.skip -= 1
                return false
            }
            fault.times -= 1
            return true
        }
    }

    /// The `event.from` token of the toolstack incarnation being watched ("" after a restart).
    let token = Mutex("")

    /// One step: waits (on virtual time, at most 5 seconds) for the run to change; a line for the trace.
    func step(_ pool: SimulatedPool, _ run: Ref<RollingOperation>) async -> Workload.Outcome {
        let since = token.withLock { $0 }
        let batch = await pool.call("event.from", [.array([.string("rolling_operation/" + run.rawValue)]), .string(since), .double(5)])
        if case .success(let value) = batch, let next = value["token"]?.stringValue { token.withLock { $0 = next } }
        let record = pool.services.database.snapshot[run]
        let states = record?.hostStates.values.sorted().joined(separator: ",") ?? "gone"
        return Workload.Outcome(line: "rolling \(record?.status.rawValue ?? "gone") [\(states)] moves \(record?.movesMade.count ?? 0)")
    }

    /// Whether the run has stopped with nothing under way.
    static func finished(_ record: ObjectView<RollingOperation>?) -> Bool {
        guard let record else { return true }
        let underWay = record.hostStates.values.contains { !["pending", "done", "failed", "skipped"].contains($0) }
        return record.status != .running && record.status != .planned && !underWay
    }

    /// The run's own invariants, with `seen` the newest release each VM has run on.
    /// A VM may be paused for a moment while it migrates (`midRun`), never at the end.
    static func violations(_ snapshot: Snapshot, vms: [Ref<VM>], seen: inout [Ref<VM>: String], midRun: Bool = true) -> [String] {
        var found: [String] = []
        for vm in vms {
            guard let record = snapshot[vm] else {
                found.append("VM \(vm.rawValue) lost")
                continue
            }
            guard record.powerState == .running || (midRun && record.powerState == .paused) else {
                found.append("VM \(record.uuid) stopped: \(record.powerState.rawValue)")
                continue
            }
            let release = snapshot[record.residentOn]?.softwareVersion["product_version"] ?? ""
            if let before = seen[vm], release.compare(before, options: .numeric) == .orderedAscending {
                found.append("VM \(record.uuid) moved from \(before) to the older \(release)")
            }
            if seen[vm].map({ release.compare($0, options: .numeric) == .orderedDescending }) ?? true { seen[vm] = release }
        }
        return found
    }

    /// The run ended done with every host upgraded and enabled, or stopped with its error.
    static func endViolations(_ snapshot: Snapshot, _ run: Ref<RollingOperation>, kind: String) -> [String] {
        guard let record = snapshot[run] else { return ["the run's record is gone"] }
        switch record.status {
        case .done:
            return snapshot.objects(Host.self).compactMap { host in
                if kind == "upgrade", host.softwareVersion["product_version"] != "8.5.0" { return "host \(host.uuid) not upgraded" }
                return host.enabled ? nil : "host \(host.uuid) left disabled"
            }
        case .failed, .aborted:
            return record.error.isEmpty ? ["the run stopped (\(record.status.rawValue)) without an error"] : []
        default:
            return ["the run did not finish: \(record.status.rawValue)"]
        }
    }

    private func value(_ result: CallResult) throws -> RPCValue {
        switch result {
        case .success(let value), .bare(let value): return value
        case .failure(let description): throw XenAPIError(errorDescription: description)
        }
    }
}
