import Testing
import XenAPI
import XenRPC
@testable import XenCore

@Suite("VM groups and anti-affinity placement")
struct VMGroupTests {
    private static let gib: Int64 = 1 << 30

    private func group(_ harness: ToolstackHarness, _ session: RPCValue, _ name: String, _ placement: String) async throws -> RPCValue {
        try await harness.value(
            "VM_group.create", session, .structure(["name_label": .string(name), "name_description": "", "placement": .string(placement)]))
    }

    @Test("a group's VMs are the relation's other end; one group at most; never a template; destroying the group frees its VMs")
    func membership() async throws {
        let harness = try await ToolstackHarness(hosts: 1)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let spread = try await group(harness, session, "spread", "anti_affinity")
            let other = try await group(harness, session, "other", "normal")
            let first = try await makeVM(harness, session, name: "first")
            let second = try await makeVM(harness, session, name: "second")
            _ = try await harness.value("VM.set_groups", session, first, [spread])
            _ = try await harness.value("VM.set_groups", session, second, [spread])
            #expect(Set(try await harness.value("VM_group.get_VMs", session, spread).arrayValue ?? []) == [first, second])
            #expect(await harness.call("VM.set_groups", session, first, [spread, other]) == .failure(["TOO_MANY_GROUPS"]))
            _ = try await harness.value("VM.set_groups", session, first, [other])
            #expect(try await harness.value("VM_group.get_VMs", session, spread) == [second])
            #expect(try await harness.value("VM_group.get_VMs", session, other) == [first])
            let template = try #require(try await harness.value("VM.get_by_name_label", session, "Debian Bookworm 12").arrayValue?.first)
            #expect(await harness.call("VM.set_groups", session, template, [spread])
                == .failure(["OPERATION_NOT_ALLOWED", "Control domains, templates, and snapshots cannot be added to VM groups."]))
            let clone = try await harness.value("VM.clone", session, second, "clone")
            #expect(try await harness.value("VM.get_groups", session, clone) == [], "copies are in no group")
            _ = try await harness.value("VM.destroy", session, second)
            #expect(try await harness.value("VM_group.get_VMs", session, spread) == [])
            _ = try await harness.value("VM_group.destroy", session, other)
            #expect(try await harness.value("VM.get_groups", session, first) == [])
        }
    }

    @Test("an anti-affinity group's VMs start on different hosts, though memory would crowd them on one")
    func antiAffinity() async throws {
        let harness = try await ToolstackHarness(hosts: 3, hostMemory: 36 * Self.gib)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let spread = try await group(harness, session, "spread", "anti_affinity")
            let hosts = try #require(try await harness.value("host.get_all", session).arrayValue)
            // Load two hosts, so that memory alone would put every new VM on the third.
            for (index, host) in hosts.prefix(2).enumerated() {
                let ballast = try await makeVM(harness, session, name: "ballast-\(index)", memory: 20 * Self.gib)
                _ = try await harness.value("VM.start_on", session, ballast, host, false, false)
            }
            var placed: [RPCValue] = []
            for index in 0..<3 {
                let vm = try await makeVM(harness, session, name: "member-\(index)", memory: 2 * Self.gib)
                _ = try await harness.value("VM.set_groups", session, vm, [spread])
                _ = try await harness.value("VM.start", session, vm, false, false)
                placed.append(try await harness.value("VM.get_resident_on", session, vm))
            }
            #expect(Set(placed) == Set(hosts), "one member per host: \(placed)")
        }
    }

    @Test("an evacuation sends a member where its group has the fewest, not to the freest host")
    func evacuation() async throws {
        let harness = try await ToolstackHarness(hosts: 4, hostMemory: 36 * Self.gib)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let spread = try await group(harness, session, "spread", "anti_affinity")
            let hosts = try #require(try await harness.value("host.get_all", session).arrayValue).sorted { $0.stringValue! < $1.stringValue! }
            for (index, host) in hosts.suffix(2).enumerated() {
                let ballast = try await makeVM(harness, session, name: "ballast-\(index)", memory: 20 * Self.gib)
                _ = try await harness.value("VM.start_on", session, ballast, host, false, false)
            }
            var members: [RPCValue] = []
            for (index, host) in hosts.prefix(2).enumerated() {
                let vm = try await makeVM(harness, session, name: "member-\(index)", memory: 2 * Self.gib)
                _ = try await harness.value("VM.set_groups", session, vm, [spread])
                _ = try await harness.value("VM.start_on", session, vm, host, false, false)
                members.append(vm)
            }
            _ = try await harness.value("host.disable", session, hosts[0])
            _ = try await harness.value("host.evacuate", session, hosts[0])
            let now = try await harness.value("VM.get_resident_on", session, members[0])
            #expect(now == hosts[2] || now == hosts[3], "not beside the other member on the freest host")
        }
    }
}
