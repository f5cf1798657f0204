import XenCore

/// The rolling planner on the reference's scenario catalogue (§8.5, §9): migrations and makespan
/// for our plan and for the baseline that behaves as XenCenter and Xen Orchestra do, our ratios to
/// the lower bounds (`M / M_LB`, `T / T_LB` against the ramp-aware bound), and plan time at scale.
/// Run with: cd benchmarks && swift build -c release --product rolling-bench && .build/release/rolling-bench

let gib: Int64 = 1 << 30

struct Scenario {
    var name: String
    var hosts: [RollingPlan.Host]
    var vms: [RollingPlan.VM]
}

/// `count` hosts (capacities cycling through `capacities` GiB), each `used` full with VMs of 2–16 GiB
/// in a fixed pattern; every `pinnedEvery`-th VM pinned to its host (0: none).
/// With `groups` > 0, every VM belongs to one of that many anti-affinity groups (round robin).
func scenario(_ name: String, count: Int, capacities: [Int64], used: Double, pinnedEvery: Int = 0, groups: Int = 0) -> Scenario {
    var hosts: [RollingPlan.Host] = []
    var vms: [RollingPlan.VM] = []
    let sizes: [Int64] = [2, 4, 8, 16, 4, 8]
    var serial = 0
    for index in 0..<count {
        let capacity = capacities[index % capacities.count] * gib
        let id = String(format: "host-%03d", index)
        hosts.append(RollingPlan.Host(id: id, capacity: capacity, remediation: 900, bandwidth: 1e9))
        var filled: Int64 = 0
        while true {
            let size = sizes[serial % sizes.count] * gib
            guard Double(filled + size) <= used * Double(capacity) else { break }
            serial += 1
            let pinned = pinnedEvery > 0 && serial % pinnedEvery == 0
            let group = groups > 0 ? "group-\(serial % groups)" : nil
            vms.append(RollingPlan.VM(id: "vm-\(serial)", memory: size, host: id, pinned: pinned, antiAffinityGroup: group))
            filled += size
        }
    }
    return Scenario(name: name, hosts: hosts, vms: vms)
}

let catalogue = [
    scenario("4 hosts, 50 % used", count: 4, capacities: [256], used: 0.5),
    scenario("8 hosts, 60 % used", count: 8, capacities: [256], used: 0.6),
    scenario("16 hosts, 70 % used", count: 16, capacities: [256], used: 0.7),
    scenario("16 hosts, 85 % used", count: 16, capacities: [256], used: 0.85),
    scenario("64 hosts, 80 % used", count: 64, capacities: [512], used: 0.8),
    scenario("64 hosts, 95 % used", count: 64, capacities: [512], used: 0.95),
    scenario("16 unequal hosts, 70 %", count: 16, capacities: [128, 256, 512], used: 0.7),
    scenario("16 hosts, 10 % of VMs pinned", count: 16, capacities: [256], used: 0.7, pinnedEvery: 10),
    scenario("16 hosts, 70 %, 40 anti-affinity", count: 16, capacities: [256], used: 0.7, groups: 40),
    scenario("64 hosts, 80 %, 300 anti-affinity", count: 64, capacities: [512], used: 0.8, groups: 300),
]
/// The scenarios run again with `moveOnce`, the other end of the time/moves trade-off.
let moveOnceScenarios: Set<String> = ["16 hosts, 70 %, 40 anti-affinity", "64 hosts, 80 %, 300 anti-affinity"]

print("scenario                          | ours: M     T(min) | baseline: M  T(min) | M/M_LB  T/T_ramp  T/T_LB")
for (item, moveOnce) in catalogue.map({ ($0, false) }) + catalogue.filter({ moveOnceScenarios.contains($0.name) }).map({ ($0, true) }) {
    let coordinator = item.hosts[0].id
    let ours = RollingPlanner.plan(hosts: item.hosts, vms: item.vms, coordinator: coordinator, policy: .init(moveOnce: moveOnce))
    let name = moveOnce ? String(item.name.prefix(22)) + ", move_once" : item.name
    let base = Baseline.run(hosts: item.hosts, vms: item.vms, coordinator: coordinator)
    guard ours.stranded.isEmpty else {
        print(name.padding(toLength: 33, withPad: " ", startingAt: 0) + " | infeasible: \(ours.stranded.count) VMs fit nowhere with 10 % headroom")
        continue
    }
    let line = [
        name.padding(toLength: 33, withPad: " ", startingAt: 0),
        String(format: "%5d %8.1f", ours.migrations, ours.makespan / 60),
        String(format: "%8d %8.1f", base.migrations, base.makespan / 60),
        String(
            format: "%6.2f %8.2f %8.2f", Double(ours.migrations) / Double(max(ours.migrationsLowerBound, 1)),
            ours.makespan / ours.rampAwareBound, ours.makespan / ours.makespanLowerBound),
    ]
    print(line.joined(separator: " | "))
}

let clock = ContinuousClock()
for (hosts, perHost) in [(64, 62), (1000, 100)] {
    let big = scenario("", count: hosts, capacities: [512], used: 0.0)
    var vms: [RollingPlan.VM] = []
    for host in big.hosts { for index in 0..<perHost { vms.append(RollingPlan.VM(id: "\(host.id)-\(index)", memory: 4 * gib, host: host.id)) } }
    let start = clock.now
    let outcome = RollingPlanner.plan(hosts: big.hosts, vms: vms, coordinator: big.hosts[0].id)
    let elapsed = start.duration(to: clock.now)
    print("plan time, \(hosts) hosts and \(vms.count) VMs: \(elapsed) (\(outcome.waves.count) waves, \(outcome.migrations) moves)")
}
