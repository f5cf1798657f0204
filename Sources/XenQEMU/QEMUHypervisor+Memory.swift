import XenBackend

/// Dynamic memory: a guest's RAM is its static maximum (`-m`), and its virtio balloon holds back
/// the rest, as xenopsd's balloon target does for a Xen guest.
extension QEMUHypervisor {
    /// How often the balloon is looked at while the guest moves towards its target.
    static let balloonPoll: Duration = .milliseconds(100)
    /// How long the guest may take to reach its target; one that stops moving for
    /// `balloonStall` (no driver, or a paused guest) is taken as settled where it is.
    static let balloonDeadline: Duration = .seconds(30)
    static let balloonStall: Duration = .seconds(2)
    /// Close enough to a target: the guest gives back whole pages, not bytes.
    static let balloonSlack: Int64 = 1 << 20

    public func setMemoryTarget(_ vm: String, bytes: Int64) async throws(HypervisorError) -> Int64 {
        let domain = try require(vm)
        guard domain.state == .running || domain.state == .paused, let qmp = domain.process?.qmp else {
            throw .badState(vm: vm, operation: "set_memory_target", state: domain.state)
        }
        let target = min(bytes, Self.guestRAM(of: domain.spec))
        let growth = target - domain.spec.memory
        guard growth <= freeMemory else { throw .notEnoughMemory(needed: growth, available: max(0, freeMemory)) }
        // The reservation follows the target at once, so no other domain is given the growth.
        domains[vm]?.spec.memory = target
        writeRunRecord(vm)
        touch(vm)
        try await balloon(qmp, to: target)
        var (actual, still): (Int64?, Duration) = (nil, .zero)
        _ = try await poll(every: Self.balloonPoll, within: Self.balloonDeadline, step: "set_memory_target") {
            () throws(HypervisorError) -> Bool in
            let now = try await balloonActual(qmp)
            still = now == actual ? still + Self.balloonPoll : .zero
            actual = now
            return abs(now - target) <= Self.balloonSlack || still >= Self.balloonStall
        }
        return actual ?? target
    }

    /// The RAM a domain's process is started with: its most memory, to a whole MiB.
    static func guestRAM(of spec: DomainSpec) -> Int64 {
        let mib = Int64(1) << 20
        return max(16, (max(spec.memory, spec.maxMemory ?? 0) + mib - 1) / mib) * mib
    }

    /// Sets the balloon so the guest keeps `bytes` (from the start, when the process has just
    /// been made: the driver reads its target as it loads).
    func balloon(_ qmp: QMPClient, to bytes: Int64) async throws(HypervisorError) {
        do {
            try await qmp.execute("balloon", ["value": .int(bytes)])
        } catch {
            throw .failed(step: "balloon", reason: "\(error)")
        }
    }

    private func balloonActual(_ qmp: QMPClient) async throws(HypervisorError) -> Int64 {
        do {
            guard let actual = try await qmp.execute("query-balloon")["actual"]?.intValue else {
                throw HypervisorError.failed(step: "query-balloon", reason: "no actual size")
            }
            return actual
        } catch let error as HypervisorError {
            throw error
        } catch {
            throw .failed(step: "query-balloon", reason: "\(error)")
        }
    }
}
