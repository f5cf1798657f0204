import ArgumentParser
import Foundation
import Synchronization
import XenAPI
import XenCore
import XenDB
import XenRPC
import XenSimulation

/// xen-sim: a seeded whole-pool simulation. A random workload of VM and host operations runs
/// against a pool of simulated hosts on the seeded executor with virtual time, with faults injected into
/// hypervisor steps and toolstack restarts; the invariants are checked after every step. The
/// same seed gives the same trace, byte for byte.
@main
struct XenSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xen-sim", abstract: "Run a seeded simulation of a pool and check its invariants.")

    @Option(help: "The seed: the same seed gives the same run.")
    var seed: UInt64 = 1

    @Option(help: "How many operations to run.")
    var steps: Int = 500

    @Option(help: "How many hosts the pool has.")
    var hosts: Int = 3

    @Option(help: "Chance, in thousandths, that a hypervisor step fails.")
    var faultsPerThousand: Int = 20

    @Option(help: "Chance, in thousandths, that the toolstack restarts after a step.")
    var restartsPerThousand: Int = 10

    @Option(help: "Chance, in thousandths, that the toolstack crashes in the middle of a step.")
    var crashesPerThousand: Int = 20

    @Option(help: "Run a rolling operation (upgrade or reboot) of a loaded pool instead of the random workload.")
    var rolling: String?

    @Option(help: "With --rolling: how full each host is with running VMs, in percent.")
    var loadPercent: Int = 60

    @Option(help: "With --rolling: a step (upgrade-install, host-boot, send_migration, …) that fails on purpose.")
    var failStep = ""

    @Option(help: "With --fail-step: how many asks of the step pass before it fails.")
    var failSkip = 0

    @Option(help: "With --fail-step: how many times it then fails.")
    var failTimes = 1

    @Flag(help: "Print every step.")
    var verbose = false

    func run() async throws {
        let seeded = SeededEnvironment(seed: seed)
        let random = SimulationRandom(seeded.environment)
        let workload = Workload(random: random)
        let (steps, faults, restartsPerThousand, crashesPerThousand, verbose, seed, hosts) =
            (self.steps, faultsPerThousand, self.restartsPerThousand, self.crashesPerThousand, self.verbose, self.seed, self.hosts)
        // The hosts' SR files: a folder of this run's own, removed when it ends.
        let storageRoot = FileManager.default.temporaryDirectory.appendingPathComponent("xen-sim-\(getpid())-\(seed)").path
        defer { try? FileManager.default.removeItem(atPath: storageRoot) }
        if let rolling {
            guard ["upgrade", "reboot"].contains(rolling) else { throw ValidationError("--rolling is upgrade or reboot") }
            try await runRolling(rolling, seeded: seeded, random: random, storageRoot: storageRoot)
            return
        }
        let failure: String? = try await seeded.run {
            var pool = try await SimulatedPool(
                environment: seeded.environment, hosts: hosts, fails: { _ in random.below(1000) < faults }, storageRoot: storageRoot)
            var trace = Trace()
            var acknowledged = AcknowledgedWrites()
            for step in 1...steps {
                let crashAt: Duration? =
                    random.below(1000) < crashesPerThousand ? .milliseconds(Int64(random.below(600))) : nil
                let current = pool
                let (outcome, crashed) = try await Self.run({ try await workload.step(on: current) }, on: pool, crashingAfter: crashAt, seeded.environment)
                let line = crashed ? "\(outcome?.line ?? "an operation") -> crashed" : outcome?.line ?? ""
                trace.append("\(step) \(line)")
                if verbose { print("\(step) \(line)") }
                if let unexpected = outcome?.unexpected, !crashed { return "seed \(seed) step \(step) (\(line)): \(unexpected)" }
                if !crashed, let outcome { acknowledged.note(outcome) }
                if crashed || random.below(1000) < restartsPerThousand {
                    pool = try await pool.restarted()
                    trace.append("\(step) restart")
                    if verbose { print("\(step) restart") }
                }
                let violations = await Invariants.violations(pool.services) + acknowledged.violations(pool.services.database.snapshot)
                if !violations.isEmpty {
                    return "seed \(seed) step \(step) (\(line)):\n  " + violations.joined(separator: "\n  ")
                }
            }
            print("xen-sim seed \(seed): \(steps) steps, trace \(trace.digest), virtual time \(seeded.virtualTime)")
            return nil
        }
        if let failure {
            print("xen-sim FAILED " + failure)
            throw ExitCode.failure
        }
    }

    /// A rolling operation of a loaded pool under faults, crashes and restarts (`RollingScenario`),
    /// checked after every step; prints its trace digest, or the first violation.
    private func runRolling(_ kind: String, seeded: SeededEnvironment, random: SimulationRandom, storageRoot: String) async throws {
        let limits = (steps, faultsPerThousand, restartsPerThousand, crashesPerThousand, verbose, seed, hosts, loadPercent)
        let targeted = (step: failStep, skip: failSkip, times: failTimes)
        let failure: String? = try await seeded.run {
            // The engine runs in the background work, beside the watching loop.
            try await withThrowingTaskGroup(of: String?.self) { group in
                group.addTask {
                    await seeded.background.run()
                    return nil
                }
                let failure: String?
                do {
                    failure = try await Self.watchRolling(
                        kind, seeded: seeded, random: random, storageRoot: storageRoot, limits: limits, targeted: targeted)
                } catch {
                    seeded.background.finish()
                    throw error
                }
                seeded.background.finish()
                try await group.waitForAll()
                return failure
            }
        }
        if let failure {
            print("xen-sim FAILED " + failure)
            throw ExitCode.failure
        }
    }

    /// Loads the pool, starts the run and watches it to its end; the first violation, if any.
    private static func watchRolling(
        _ kind: String, seeded: SeededEnvironment, random: SimulationRandom, storageRoot: String,
        limits: (Int, Int, Int, Int, Bool, UInt64, Int, Int), targeted: (step: String, skip: Int, times: Int)
    ) async throws -> String? {
        let (steps, faults, restartsPerThousand, crashesPerThousand, verbose, seed, hosts, load) = limits
        do {
            let scenario = RollingScenario(random: random, kind: kind, loadPercent: load, targeted: targeted)
            var pool = try await SimulatedPool(
                environment: seeded.environment, hosts: hosts, hostMemory: 32 << 30,
                fails: { step in
                    scenario.faultsOn.load(ordering: .sequentiallyConsistent)
                        && (scenario.targetedFault(step) || random.below(1000) < faults)
                },
                storageRoot: storageRoot)
            let vms = try await scenario.load(pool)
            guard let run = try await scenario.start(pool, source: try RollingScenario.releaseFolder(in: storageRoot)) else {
                // Refused with blockers (VMs that would fit nowhere): a correct ending, nothing moved.
                let blockers = scenario.blockers.withLock { $0 }
                print(
                    "xen-sim seed \(seed): rolling \(kind) of \(hosts) hosts, \(vms.count) VMs: blocked at start by "
                        + "\(blockers.count) prechecks, first \(blockers.first ?? "")")
                return nil
            }
            var trace = Trace()
            var seen: [Ref<VM>: String] = [:]
            var step = 0
            while !RollingScenario.finished(pool.services.database.snapshot[run]) {
                step += 1
                guard step <= steps else {
                    let timeline = pool.services.database.snapshot[run]?.timeline.suffix(5).joined(separator: "\n  ") ?? ""
                    return "seed \(seed): the run did not finish in \(steps) steps:\n  \(timeline)"
                }
                let crashAt: Duration? = random.below(1000) < crashesPerThousand ? .milliseconds(Int64(random.below(5000))) : nil
                let current = pool
                let (outcome, crashed) = try await Self.run(
                    { await scenario.step(current, run) }, on: pool, crashingAfter: crashAt, seeded.environment)
                let line = crashed ? "crashed" : outcome?.line ?? ""
                trace.append("\(step) \(line)")
                if verbose { print("\(step) \(line)") }
                if crashed || random.below(1000) < restartsPerThousand {
                    // The old process is gone either way: its engine, still at work in the
                    // background, reaches neither journal nor machines any more.
                    pool.crash()
                    pool = try await pool.restarted()
                    scenario.token.withLock { $0 = "" }
                    trace.append("\(step) restart")
                    if verbose { print("\(step) restart") }
                }
                let snapshot = pool.services.database.snapshot
                // While the engine works, only what holds mid-operation; the rest at the end.
                let violations =
                    await Invariants.capacityViolations(pool.services) + RollingScenario.violations(snapshot, vms: vms, seen: &seen)
                if !violations.isEmpty { return "seed \(seed) step \(step) (\(line)):\n  " + violations.joined(separator: "\n  ") }
            }
            // A last restart reconciles the records with domains that operations of crashed
            // incarnations finished after the last start-up (xapi's events would).
            pool.crash()
            pool = try await pool.restarted()
            let snapshot = pool.services.database.snapshot
            let ending =
                await Invariants.violations(pool.services) + RollingScenario.endViolations(snapshot, run, kind: kind)
                + RollingScenario.violations(snapshot, vms: vms, seen: &seen, midRun: false)
            if !ending.isEmpty { return "seed \(seed) end:\n  " + ending.joined(separator: "\n  ") }
            let record = snapshot[run]
            print(
                "xen-sim seed \(seed): rolling \(kind) of \(hosts) hosts, \(vms.count) VMs: \(record?.status.rawValue ?? "") "
                    + "\(record?.error.joined(separator: " ") ?? ""), \(record?.movesMade.count ?? 0) moves, \(step) steps, "
                    + "trace \(trace.digest), virtual time \(seeded.virtualTime)")
            return nil
        }
    }

    /// Runs one step of the workload; with `crashAt`, the toolstack crashes that long into it
    /// unless the step is over first. Returns what the step did (nil if it never answered) and
    /// whether the toolstack crashed.
    private static func run(
        _ step: @escaping @Sendable () async throws -> Workload.Outcome, on pool: SimulatedPool, crashingAfter crashAt: Duration?,
        _ environment: Environment
    ) async throws -> (Workload.Outcome?, Bool) {
        guard let crashAt else { return (try await step(), false) }
        return await withTaskGroup(of: (Workload.Outcome?, Bool).self) { group in
            group.addTask { ((try? await step()), false) }
            group.addTask {
                do {
                    try await environment.sleep(crashAt)
                } catch {
                    return (nil, false)  // the step was over first
                }
                pool.crash()
                return (nil, true)
            }
            let first = await group.next() ?? (nil, false)
            group.cancelAll()
            let second = await group.next() ?? (nil, false)
            let outcome = first.0 ?? second.0
            return (outcome, first.1 || second.1)
        }
    }
}

/// The writes the toolstack acknowledged (a VM made or destroyed): none may be lost, whatever
/// crashes come after.
struct AcknowledgedWrites {
    private var exists: [String: Bool] = [:]

    mutating func note(_ outcome: Workload.Outcome) {
        if let made = outcome.made { exists[made] = true }
        if let destroyed = outcome.destroyed { exists[destroyed] = false }
    }

    func violations(_ snapshot: Snapshot) -> [String] {
        exists.sorted { $0.key < $1.key }.compactMap { ref, present in
            snapshot.contains(Ref<VM>(ref)) == present ? nil : "acknowledged write lost: VM \(ref) should \(present ? "exist" : "be gone")"
        }
    }
}
