import XenBackend

/// The guest agents: each running guest's `qemu-ga` is asked what it reports (quickly while the
/// guest comes up, every few seconds once it has its addresses), and processes that died without
/// a word are noticed on the way.
extension QEMUHypervisor {
    /// How often processes are checked, and agents asked while their guests come up.
    static let supervisionTick: Duration = .milliseconds(250)
    /// Every how many ticks a guest whose agent has reported an address for every interface is
    /// asked again.
    static let settledGuestTicks = 12

    /// Every tick: processes that died without a word are noticed, and the agent of each running
    /// guest still coming up is asked what it reports (connecting first once it has started);
    /// a guest that has reported its addresses is asked every few seconds. At the end the
    /// connections are closed, and the processes left running.
    func superviseAgents() async {
        var tick = 0
        while !work.isFinishing() {
            for vm in domains.keys.sorted() {
                guard let domain = domains[vm], let process = domain.process else { continue }
                if !QEMUProcess(pid: process.record.pid).isRunning {
                    await remove(vm, quitting: false)
                    continue
                }
                guard domain.state == .running else { continue }
                let settled = domain.spec.nics.allSatisfy { domain.guest?.networks["\($0)/ip"] != nil }
                if !settled || tick % Self.settledGuestTicks == 0 { await refreshGuest(vm) }
            }
            tick += 1
            do { try await work.sleep(Self.supervisionTick) } catch { break }
        }
        for domain in domains.values {
            domain.process?.agent?.close()
            domain.process?.qmp.close()
        }
    }

    private func refreshGuest(_ vm: String) async {
        guard let domain = domains[vm], let process = domain.process else { return }
        var agent = process.agent
        if agent == nil {
            agentTokens += 1
            agent = try? await GuestAgentClient.connect(
                path: process.files.agent, sleep: work.sleep, token: agentTokens, timeout: .milliseconds(500))
            guard domains[vm]?.domid == domain.domid else {
                agent?.close()
                return
            }
            domains[vm]?.process?.agent = agent
        }
        guard let agent else { return }
        guard let report = try? await agent.report(timeout: .seconds(3)) else {
            agent.close()
            if domains[vm]?.domid == domain.domid { domains[vm]?.process?.agent = nil }
            return
        }
        let guest = Self.guestReport(report, macs: domain.spec.macs ?? [:])
        if domains[vm]?.guest != guest, domains[vm]?.domid == domain.domid {
            domains[vm]?.guest = guest
            touch(vm)
        }
    }

    /// The agent's report in xapi's terms: addresses keyed by VIF device (`0/ip`, `0/ipv4/0`,
    /// `0/ipv6/0`), matched by MAC.
    static func guestReport(_ report: GuestAgentReport, macs: [Int: String]) -> GuestReport {
        var networks: [String: String] = [:]
        for (device, mac) in macs {
            let addresses = report.addresses[mac.lowercased()] ?? []
            let v4 = addresses.filter { !$0.contains(":") }
            let v6 = addresses.filter { $0.contains(":") }
            if let first = v4.first { networks["\(device)/ip"] = first }
            for (index, address) in v4.enumerated() { networks["\(device)/ipv4/\(index)"] = address }
            for (index, address) in v6.enumerated() { networks["\(device)/ipv6/\(index)"] = address }
        }
        return GuestReport(networks: networks, osVersion: report.osVersion, pvDriversVersion: report.driversVersion)
    }
}
