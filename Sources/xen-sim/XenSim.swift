import ArgumentParser
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

    @Flag(help: "Print every step.")
    var verbose = false

    func run() async throws {
        let seeded = SeededEnvironment(seed: seed)
        let random = SimulationRandom(seeded.environment)
        let workload = Workload(random: random)
        let (steps, faults, restartsPerThousand, verbose, seed, hosts) =
            (self.steps, faultsPerThousand, self.restartsPerThousand, self.verbose, self.seed, self.hosts)
        let failure: String? = try await seeded.run {
            var pool = try await SimulatedPool(
                environment: seeded.environment, hosts: hosts, faultsPerThousand: faults, random: random)
            var trace = Trace()
            for step in 1...steps {
                let (line, unexpected) = try await workload.step(on: pool)
                trace.append("\(step) \(line)")
                if verbose { print("\(step) \(line)") }
                if let unexpected { return "seed \(seed) step \(step) (\(line)): \(unexpected)" }
                if random.below(1000) < restartsPerThousand {
                    pool = try await pool.restarted()
                    trace.append("\(step) restart")
                    if verbose { print("\(step) restart") }
                }
                let violations = await Invariants.violations(pool.services)
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
}
