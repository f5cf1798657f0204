/// The rolling-operation planner (reference §9), a pure function: the coordinator first, then
/// waves of hosts as large as `k` and the free capacity of hosts already done allow, each VM
/// leaving its host for a host already done ("leapfrog") so that it moves once; only when no
/// host's VMs fit on done hosts are some parked on hosts still to do (moving again later). It
/// never over-commits a host (capacity less the headroom) and never moves a VM to a host not yet
/// done when a done one has room, so during an upgrade no VM moves from a new host to an old one.
/// VMs of one anti-affinity group never meet on a host through a move.
public enum RollingPlanner {
    public static func plan(
        hosts: [RollingPlan.Host], vms: [RollingPlan.VM], coordinator: String, policy: RollingPlan.Policy = .init()
    ) -> RollingPlan.Outcome {
        let byID = Dictionary(hosts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let usable = byID.mapValues { Int64(Double($0.capacity) * (1 - policy.headroomPercent / 100)) }
        let memory = Dictionary(vms.map { ($0.id, $0.memory) }, uniquingKeysWith: { first, _ in first })
        let k = maxUnavailable(hosts, usable: usable, load: vms.reduce(0) { $0 + $1.memory }, policy: policy)
        // Loads and movable residents per host, kept up to date as VMs move.
        let group = Dictionary(vms.compactMap { vm in vm.antiAffinityGroup.map { (vm.id, $0) } }, uniquingKeysWith: { first, _ in first })
        // How many VMs of each anti-affinity group each host holds.
        var members: [String: [String: Int]] = [:]
        for vm in vms { if let name = vm.antiAffinityGroup { members[name, default: [:]][vm.host, default: 0] += 1 } }
        func allowed(_ vm: String, on host: String) -> Bool {
            guard let name = group[vm] else { return true }
            return (members[name]?[host] ?? 0) == 0
        }
        // Hosts by position, for the placement loop: what each may hold and holds.
        let ids = byID.keys.sorted()
        let position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        let capacity = ids.map { usable[$0]! }
        var loads = [Int64](repeating: 0, count: ids.count)
        var residents = Dictionary(hosts.map { ($0.id, [String]()) }, uniquingKeysWith: { first, _ in first })
        for vm in vms {
            if let index = position[vm.host] { loads[index] += vm.memory }
            if !vm.pinned { residents[vm.host, default: []].append(vm.id) }
        }
        func load(_ host: String) -> Int64 { position[host].map { loads[$0] } ?? 0 }
        // Members of anti-affinity groups first (they have the fewest places to go), then the largest.
        func agile(_ host: String) -> [String] {
            (residents[host] ?? []).sorted {
                (group[$0] != nil ? 1 : 0, memory[$0]!, $0) > (group[$1] != nil ? 1 : 0, memory[$1]!, $1)
            }
        }
        func agileLoad(_ host: String) -> Int64 { (residents[host] ?? []).reduce(0) { $0 + memory[$1]! } }
        func free(_ host: String) -> Int64 { usable[host]! - load(host) }
        // The wave's hosts, least loaded first, as many (at most k) as the done hosts' room takes.
        func fill(from candidates: [String], room: Int64) -> [String] {
            var wave: [String] = []
            var total: Int64 = 0
            for host in candidates where wave.count < k {
                let needed = agileLoad(host)
                guard total + needed <= room else { continue }
                wave.append(host)
                total += needed
            }
            return wave
        }

        var done = Set(hosts.filter { !$0.needsRemediation }.map(\.id))
        var pending = hosts.filter(\.needsRemediation).map(\.id).sorted()
        let migrationsBound =
            pending.reduce(0) { $0 + (residents[$1]?.count ?? 0) }
            + (pending.contains(coordinator) && done.isEmpty ? (residents[coordinator]?.count ?? 0) : 0)
        let makespanBound = relaxedBound(hosts, coordinator: coordinator, k: k, agileLoad: agileLoad)
        var waves: [RollingPlan.Wave] = []
        var stranded: [String] = []
        var rampBound = 0.0

        while !pending.isEmpty {
            var wave: [String]
            if pending.contains(coordinator) {
                wave = [coordinator]
            } else {
                // The largest set of least-loaded hosts (at most k) whose VMs fit on the hosts done.
                let candidates = pending.sorted { (load($0), $0) < (load($1), $1) }
                wave = fill(from: candidates, room: done.reduce(Int64(0)) { $0 + free($1) })
                if wave.isEmpty { wave = [candidates[0]] }
            }
            var moves: [RollingPlan.Move] = []
            var evacuation: [String: Double] = [:]
            var waveSet = Set(wave)
            // A wave whose VMs do not all find a place (an anti-affinity group short of hosts) is
            // tried again one host smaller, down to one host; with `moveOnce`, one whose hosts'
            // VMs would partly wait on hosts still to do is tried again without those hosts.
            let before = (loads, residents, members)
            while true {
                var strandedHere: [String] = []
                // Best fit on a done host; else the freest host still to do (its VMs move again
                // later). Ties to the first host by id.
                let doneHosts = done.sorted().map { position[$0]! }
                let parking = pending.filter { !waveSet.contains($0) }.sorted().map { position[$0]! }
                for host in wave {
                    for vm in agile(host) {
                        let size = memory[vm]!
                        let grouped = group[vm] != nil
                        var chosen: Int?
                        var best = Int64.max
                        for index in doneHosts {
                            let spare = capacity[index] - loads[index]
                            if spare >= size, spare < best, !grouped || allowed(vm, on: ids[index]) { (best, chosen) = (spare, index) }
                        }
                        if chosen == nil {
                            best = -1
                            for index in parking {
                                let spare = capacity[index] - loads[index]
                                if spare >= size, spare > best, !grouped || allowed(vm, on: ids[index]) { (best, chosen) = (spare, index) }
                            }
                        }
                        guard let chosen else {
                            strandedHere.append(vm)
                            continue
                        }
                        let target = ids[chosen]
                        moves.append(RollingPlan.Move(vm: vm, from: host, to: target))
                        loads[position[host]!] -= size
                        loads[chosen] += size
                        residents[host]!.removeAll { $0 == vm }
                        residents[target]!.append(vm)
                        if let name = group[vm] {
                            members[name]![host]! -= 1
                            members[name]![target, default: 0] += 1
                        }
                        evacuation[host, default: 0] += policy.migrationSetup + Double(size) / byID[host]!.bandwidth
                    }
                }
                let parked = policy.moveOnce ? Set(moves.filter { !done.contains($0.to) }.map(\.from)) : []
                if !strandedHere.isEmpty, wave.count > 1 {
                    wave.removeLast()
                } else if !parked.isEmpty, parked.count < wave.count {
                    wave.removeAll { parked.contains($0) }
                } else {
                    stranded += strandedHere
                    break
                }
                (loads, residents, members) = before
                moves = []
                evacuation = [:]
                waveSet = Set(wave)
            }
            let remediation = wave.map { byID[$0]!.remediation }.max() ?? 0
            let duration = (evacuation.values.max() ?? 0) + remediation
            waves.append(RollingPlan.Wave(hosts: wave, moves: moves, duration: duration))
            done.formUnion(wave)
            pending.removeAll { waveSet.contains($0) }
            if waves.count == 1 {
                // From here on, the ramp-aware bound: the coordinator's wave as planned, then the
                // waves a one-move-per-VM run needs with divisible memory.
                let remaining = Dictionary(pending.map { ($0, agileLoad($0)) }, uniquingKeysWith: { a, _ in a })
                let staying = Dictionary(pending.map { ($0, load($0) - agileLoad($0)) }, uniquingKeysWith: { a, _ in a })
                let room = done.reduce(Int64(0)) { $0 + free($1) }
                rampBound = duration + rampAwareBound(loads: remaining, staying: staying, free: room, hosts: byID, usable: usable, k: k)
            }
        }
        return RollingPlan.Outcome(
            waves: waves, stranded: stranded, migrationsLowerBound: migrationsBound, makespanLowerBound: makespanBound,
            rampAwareBound: rampBound, maxUnavailable: k)
    }

    /// §9.4 ramp-aware bound: waves of at most `k` least-loaded hosts whose agile load fits the
    /// free capacity of the hosts done, each freeing its capacity for the next, less what stays on
    /// it (VMs pinned to it, which never move); memory divisible.
    static func rampAwareBound(
        loads: [String: Int64], staying: [String: Int64], free start: Int64, hosts: [String: RollingPlan.Host],
        usable: [String: Int64], k: Int
    ) -> Double {
        var pending = loads.keys.sorted { (loads[$0]!, $0) < (loads[$1]!, $1) }
        var free = start
        var total = 0.0
        while !pending.isEmpty {
            var wave: [String] = []
            var taken: Int64 = 0
            for host in pending where wave.count < k && taken + loads[host]! <= free {
                wave.append(host)
                taken += loads[host]!
            }
            if wave.isEmpty { wave = [pending[0]] }
            total += wave.map { Double(loads[$0]!) / hosts[$0]!.bandwidth }.max()! + wave.map { hosts[$0]!.remediation }.max()!
            free += wave.reduce(Int64(0)) { $0 + usable[$1]! - loads[$1]! - (staying[$1] ?? 0) }
            pending.removeAll { wave.contains($0) }
        }
        return total
    }

    /// The most hosts that can be down at once: the policy's limit, and at most as many as leave
    /// the smallest remaining hosts able to hold every VM.
    static func maxUnavailable(
        _ hosts: [RollingPlan.Host], usable: [String: Int64], load: Int64, policy: RollingPlan.Policy
    ) -> Int {
        let capacities = hosts.map { usable[$0.id]! }.sorted()
        var k = 1
        while k < hosts.count, capacities.prefix(hosts.count - (k + 1)).reduce(0, +) >= load { k += 1 }
        return policy.maxUnavailable > 0 ? min(policy.maxUnavailable, k) : k
    }

    /// §9.4 LB-reboot: `E_c + R_c + Σ_{h≠c} R_h / k`.
    static func relaxedBound(_ hosts: [RollingPlan.Host], coordinator: String, k: Int, agileLoad: (String) -> Int64) -> Double {
        let remediated = hosts.filter(\.needsRemediation)
        var bound = 0.0
        if let first = remediated.first(where: { $0.id == coordinator }) {
            bound += Double(agileLoad(first.id)) / first.bandwidth + first.remediation
        }
        bound += remediated.filter { $0.id != coordinator }.reduce(0) { $0 + $1.remediation } / Double(max(k, 1))
        return bound
    }
}
