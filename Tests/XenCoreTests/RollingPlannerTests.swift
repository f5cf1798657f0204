import Testing
@testable import XenCore

@Suite("the rolling planner against the reference's lower bounds")
struct RollingPlannerTests {
    static let gib: Int64 = 1 << 30

    /// §9.5: 8 equal hosts of 256 GiB, 60 % used by 20 VMs each, 15 min to remediate, 1 GB/s.
    static func workedExample() -> ([RollingPlan.Host], [RollingPlan.VM]) {
        let hosts = (0..<8).map { RollingPlan.Host(id: "h\($0)", capacity: 256 * gib, remediation: 900, bandwidth: 1e9) }
        var vms: [RollingPlan.VM] = []
        for host in hosts {
            for index in 0..<20 { vms.append(.init(id: "\(host.id)-vm\(index)", memory: 7_900 * (1 << 20), host: host.id)) }
        }
        return (hosts, vms)
    }

    /// Replays the plan, checking that no host is ever over its capacity less the headroom, that
    /// no VM goes to a host still to do while it is down, and that every VM ends on a host done.
    static func replay(_ outcome: RollingPlan.Outcome, hosts: [RollingPlan.Host], vms: [RollingPlan.VM], headroom: Double = 10) {
        var placement = Dictionary(uniqueKeysWithValues: vms.map { ($0.id, $0.host) })
        let memory = Dictionary(uniqueKeysWithValues: vms.map { ($0.id, $0.memory) })
        let usable = Dictionary(uniqueKeysWithValues: hosts.map { ($0.id, Int64(Double($0.capacity) * (1 - headroom / 100))) })
        var done: Set<String> = []
        for wave in outcome.waves {
            for move in wave.moves {
                #expect(placement[move.vm] == move.from && wave.hosts.contains(move.from))
                #expect(!wave.hosts.contains(move.to), "a VM never moves onto a host going down")
                placement[move.vm] = move.to
            }
            for host in hosts.map(\.id) {
                let load = placement.filter { $0.value == host }.reduce(Int64(0)) { $0 + memory[$1.key]! }
                #expect(load <= usable[host]!, "capacity of \(host)")
            }
            for host in wave.hosts { #expect(!placement.values.contains(host), "\(host) is empty before it goes down") }
            done.formUnion(wave.hosts)
        }
        #expect(done == Set(hosts.filter(\.needsRemediation).map(\.id)))
    }

    @Test("the worked example: k = 2, one move per VM but the coordinator's, within 10 % of the ramp-aware bound")
    func workedExample() {
        let (hosts, vms) = Self.workedExample()
        let outcome = RollingPlanner.plan(hosts: hosts, vms: vms, coordinator: "h0")
        #expect(outcome.maxUnavailable == 2 && outcome.stranded.isEmpty)
        #expect(outcome.waves.first?.hosts == ["h0"], "the coordinator first")
        #expect(outcome.migrationsLowerBound == 180)
        #expect(outcome.migrations == outcome.migrationsLowerBound)
        #expect(outcome.waves.count <= 7 && outcome.waves.contains { $0.hosts.count == 2 })
        // LB-reboot: E_c + R_c + 7 R / 2, about 70 minutes.
        #expect(abs(outcome.makespanLowerBound / 60 - 70.4) < 1)
        #expect(outcome.makespan <= 1.1 * outcome.rampAwareBound)
        #expect(outcome.rampAwareBound >= outcome.makespanLowerBound)
        Self.replay(outcome, hosts: hosts, vms: vms)
    }

    @Test("a host already current takes the coordinator's VMs: every VM moves once")
    func spareCurrentHost() {
        var (hosts, vms) = Self.workedExample()
        hosts.append(RollingPlan.Host(id: "spare", capacity: 256 * Self.gib, remediation: 900, bandwidth: 1e9, needsRemediation: false))
        vms = vms.filter { !$0.id.hasPrefix("h7") }
        hosts.removeAll { $0.id == "h7" }
        let outcome = RollingPlanner.plan(hosts: hosts, vms: vms, coordinator: "h0")
        #expect(outcome.migrationsLowerBound == 140)
        #expect(outcome.migrations == 140)
        Self.replay(outcome, hosts: hosts, vms: vms)
    }

    @Test("a pool too full to evacuate a host strands VMs rather than over-committing")
    func tooFull() {
        let hosts = (0..<3).map { RollingPlan.Host(id: "h\($0)", capacity: 100 * Self.gib, remediation: 600, bandwidth: 1e9) }
        let vms = hosts.flatMap { host in (0..<11).map { RollingPlan.VM(id: "\(host.id)-\($0)", memory: 8 * Self.gib, host: host.id) } }
        let outcome = RollingPlanner.plan(hosts: hosts, vms: vms, coordinator: "h0")
        #expect(!outcome.stranded.isEmpty)
    }

    @Test("pinned VMs stay on their host; a full pool parks VMs and still never over-commits")
    func pinnedAndFull() {
        let hosts = (0..<4).map { RollingPlan.Host(id: "h\($0)", capacity: 100 * Self.gib, remediation: 600, bandwidth: 1e9) }
        var vms: [RollingPlan.VM] = []
        for host in hosts { for index in 0..<8 { vms.append(.init(id: "\(host.id)-\(index)", memory: 8 * Self.gib, host: host.id)) } }
        vms.append(.init(id: "pinned", memory: 4 * Self.gib, host: "h2", pinned: true))
        let outcome = RollingPlanner.plan(hosts: hosts, vms: vms, coordinator: "h0", policy: .init(maxUnavailable: 1))
        #expect(outcome.maxUnavailable == 1)
        #expect(!outcome.waves.flatMap(\.moves).contains { $0.vm == "pinned" })
        #expect(outcome.waves.map(\.hosts).allSatisfy { $0.count == 1 })
        #expect(outcome.migrations >= outcome.migrationsLowerBound)
        #expect(outcome.makespan >= outcome.makespanLowerBound)
    }

    @Test("VMs of an anti-affinity group never meet on a host; members with nowhere else to go are stranded")
    func antiAffinity() {
        let hosts = (0..<4).map { RollingPlan.Host(id: "h\($0)", capacity: 100 * Self.gib, remediation: 600, bandwidth: 1e9) }
        var vms: [RollingPlan.VM] = []
        for host in hosts { for index in 0..<4 { vms.append(.init(id: "\(host.id)-\(index)", memory: 8 * Self.gib, host: host.id)) } }
        for index in 0..<3 { vms.append(.init(id: "db\(index)", memory: 8 * Self.gib, host: "h\(index)", antiAffinityGroup: "db")) }
        let outcome = RollingPlanner.plan(hosts: hosts, vms: vms, coordinator: "h0")
        #expect(outcome.stranded.isEmpty)
        Self.replay(outcome, hosts: hosts, vms: vms)
        var placement = Dictionary(uniqueKeysWithValues: vms.map { ($0.id, $0.host) })
        for move in outcome.waves.flatMap(\.moves) {
            placement[move.vm] = move.to
            let databases = placement.filter { $0.key.hasPrefix("db") }.map(\.value)
            #expect(Set(databases).count == databases.count, "two db VMs on one host after \(move)")
        }
        vms.append(.init(id: "db3", memory: 8 * Self.gib, host: "h3", antiAffinityGroup: "db"))
        // Four members on four hosts: whichever host goes down, its member has nowhere to go.
        #expect(Set(RollingPlanner.plan(hosts: hosts, vms: vms, coordinator: "h0").stranded) == ["db0", "db1", "db2", "db3"])
    }

    @Test("move_once: a host whose anti-affinity member would wait on a host still to do goes in a later wave, so each VM moves once")
    func moveOnce() {
        // An empty coordinator, then h1 and h2 (the least loaded) in one wave of two; their db
        // members cannot both go to the coordinator, the only host done.
        let hosts = (0..<4).map { RollingPlan.Host(id: "h\($0)", capacity: 100 * Self.gib, remediation: 600, bandwidth: 1e9) }
        var vms: [RollingPlan.VM] = [.init(id: "h3-plain", memory: 12 * Self.gib, host: "h3")]
        for host in ["h1", "h2"] { vms.append(.init(id: "\(host)-plain", memory: 4 * Self.gib, host: host)) }
        vms.append(.init(id: "db1", memory: 4 * Self.gib, host: "h1", antiAffinityGroup: "db"))
        vms.append(.init(id: "db2", memory: 4 * Self.gib, host: "h2", antiAffinityGroup: "db"))
        let quick = RollingPlanner.plan(hosts: hosts, vms: vms, coordinator: "h0", policy: .init(maxUnavailable: 2))
        let once = RollingPlanner.plan(hosts: hosts, vms: vms, coordinator: "h0", policy: .init(maxUnavailable: 2, moveOnce: true))
        #expect(quick.waves.map(\.hosts) == [["h0"], ["h1", "h2"], ["h3"]])
        #expect(quick.migrations == quick.migrationsLowerBound + 1, "db2 waits on h3 and moves again")
        #expect(once.waves.map(\.hosts) == [["h0"], ["h1"], ["h2", "h3"]])
        #expect(once.migrations == once.migrationsLowerBound)
        Self.replay(once, hosts: hosts, vms: vms)
    }
}
