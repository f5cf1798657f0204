import ArgumentParser
import Foundation
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
        let failure: String? = try await seeded.run {
            var pool = try await SimulatedPool(
                environment: seeded.environment, hosts: hosts, faultsPerThousand: faults, random: random, storageRoot: storageRoot)
            var trace = Trace()
            var acknowledged = AcknowledgedWrites()
            for step in 1...steps {
                let crashAt: Duration? =
                    random.below(1000) < crashesPerThousand ? .milliseconds(Int64(random.below(600))) : nil
                let (outcome, crashed) = try await Self.run(workload, on: pool, crashingAfter: crashAt, seeded.environment)
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

    /// Runs one step of the workload; with `crashAt`, the toolstack crashes that long into it
    /// unless the step is over first. Returns what the step did (nil if it never answered) and
    /// whether the toolstack crashed.
    private static func run(
        _ workload: Workload, on pool: SimulatedPool, crashingAfter crashAt: Duration?, _ environment: Environment
    ) async throws -> (Workload.Outcome?, Bool) {
        guard let crashAt else { return (try await workload.step(on: pool), false) }
        return await withTaskGroup(of: (Workload.Outcome?, Bool).self) { group in
            group.addTask { ((try? await workload.step(on: pool)), false) }
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
