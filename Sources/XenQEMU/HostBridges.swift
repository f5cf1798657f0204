import Foundation
import XenBackend
import XenStorage

/// The Linux bridges of a host's internal networks and the taps of the interfaces on them, made
/// and removed with iproute2's `ip`, as xapi has its network daemon make them: a bridge appears
/// with the first interface on it and goes with the last. All of it lives in `namespace` when
/// one is named (tests keep theirs apart from the machine's), else in the machine's own.
struct HostBridges: Sendable {
    /// The network namespace, `nil` for the machine's.
    let namespace: String?

    /// The tap of interface `device` of domain `domid`, named as XenServer names a VIF's backend
    /// (at most 15 characters while domain ids stay below a million).
    static func tapName(domid: Int64, device: Int) -> String { "vif\(domid).\(device)" }

    /// Makes the namespace if it is not there yet.
    func prepare() throws(HypervisorError) {
        guard let namespace, !FileManager.default.fileExists(atPath: "/run/netns/" + namespace) else { return }
        try run(["netns", "add", namespace], inNamespace: false, step: "network namespace")
        try run(["link", "set", "dev", "lo", "up"], step: "network namespace")
    }

    /// Makes the tap and puts it on `bridge`, making the bridge first if it is not there; a tap
    /// left by a process that died is replaced.
    func attach(tap: String, to bridge: String) throws(HypervisorError) {
        try prepare()
        if (try? run(["link", "show", "dev", bridge], step: "bridge")) == nil {
            try run(["link", "add", "name", bridge, "type", "bridge"], step: "bridge")
            try run(["link", "set", "dev", bridge, "up"], step: "bridge")
        }
        _ = try? run(["link", "delete", "dev", tap], step: "tap")
        do {
            try run(["tuntap", "add", "dev", tap, "mode", "tap"], step: "tap")
            try run(["link", "set", "dev", tap, "master", bridge], step: "tap")
            try run(["link", "set", "dev", tap, "up"], step: "tap")
        } catch {
            detach(tap: tap, from: bridge)
            throw error
        }
    }

    /// Removes the tap, and its bridge once no interface is left on it.
    func detach(tap: String, from bridge: String) {
        _ = try? run(["link", "delete", "dev", tap], step: "tap")
        guard ports(of: bridge)?.isEmpty == true else { return }
        _ = try? run(["link", "delete", "dev", bridge], step: "bridge")
    }

    /// The interfaces on `bridge`, `nil` when there is no such bridge.
    func ports(of bridge: String) -> [String]? {
        guard let listing = try? run(["-o", "link", "show", "master", bridge], step: "bridge") else { return nil }
        return listing.split(separator: "\n").compactMap { line in
            line.split(separator: ":", maxSplits: 2).dropFirst().first.map {
                String($0.trimmingCharacters(in: .whitespaces).split(separator: "@").first ?? "")
            }
        }
    }

    /// The command that starts `program` inside the namespace (`ip netns exec`, which execs it,
    /// so the process keeps its pid and command line).
    func command(_ program: String, _ arguments: [String]) -> (program: String, arguments: [String]) {
        guard let namespace else { return (program, arguments) }
        return ("ip", ["netns", "exec", namespace, program] + arguments)
    }

    @discardableResult
    private func run(_ arguments: [String], inNamespace: Bool = true, step: String) throws(HypervisorError) -> String {
        let scoped = (inNamespace ? namespace.map { ["-n", $0] } ?? [] : []) + arguments
        do throws(SystemCommand.Failure) {
            return try SystemCommand.output("ip", scoped)
        } catch {
            throw .failed(step: step, reason: "ip \(scoped.joined(separator: " ")): \(error.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
