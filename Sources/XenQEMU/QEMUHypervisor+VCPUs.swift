import XenBackend

/// VCPU hot plug: a guest starts with its VCPUs and room for `VCPUs_max` (`-smp n,maxcpus=m`);
/// a VCPU given while it runs is a CPU device in a free place, which the guest brings online
/// (as a distribution's udev rule does), and the guest's next process (after a migration, a
/// resume or a reboot) starts with all it has. VCPUs are never taken away while the guest runs:
/// QEMU 7.2 under TCG corrupts its heap unplugging a CPU (measured).
extension QEMUHypervisor {
    /// The QEMU device id of the VCPU hot-plugged into the `index`th place.
    static func vcpuDevice(_ index: Int64) -> String { "vcpu\(index)" }

    public func setVCPUs(_ vm: String, count: Int64) async throws(HypervisorError) {
        let domain = try require(vm)
        guard domain.state == .running, let qmp = domain.process?.qmp else {
            throw .badState(vm: vm, operation: "set_vcpus", state: domain.state)
        }
        guard count >= 1, count <= domain.spec.maxVCPUs ?? domain.spec.vcpus else {
            throw .notSupported(operation: "give the domain \(count) VCPUs")
        }
        // A guest without its agent may not bring new VCPUs online, as one without PV drivers.
        try await awaitAgent(vm, operation: "set_vcpus")
        var slots = try await hotpluggableCPUs(qmp)
        let present = slots.filter { $0.path != nil }
        guard count >= present.count else {
            // QEMU 7.2 under TCG corrupts its heap unplugging a CPU (measured: it dies at the
            // next plug or migration), so a guest keeps its VCPUs until its next boot.
            throw .notSupported(operation: "take VCPUs away from a running guest (QEMU 7.2 cannot unplug a CPU safely)")
        }
        let free = slots.filter { $0.path == nil }.sorted { $0.place < $1.place }
        for slot in free.prefix(Int(count) - present.count) {
            var properties: [String: JSONValue] = ["driver": .string(slot.type), "id": .string(Self.vcpuDevice(slot.place))]
            for (key, value) in slot.properties { properties[key] = value }
            do {
                try await qmp.execute("device_add", .object(properties))
            } catch {
                throw .failed(step: "set_vcpus", reason: "\(error)")
            }
        }
        slots = try await hotpluggableCPUs(qmp)
        domains[vm]?.spec.vcpus = Int64(slots.filter { $0.path != nil }.count)
        writeRunRecord(vm)
        touch(vm)
    }

    /// One place for a VCPU (`query-hotpluggable-cpus`): its CPU type, where it sits, and the
    /// object there (`nil` while empty).
    private struct CPUSlot {
        var type: String
        var properties: [String: JSONValue]
        /// Where it sits, as one number (sockets, then cores, then threads).
        var place: Int64
        var path: String?
    }

    private func hotpluggableCPUs(_ qmp: QMPClient) async throws(HypervisorError) -> [CPUSlot] {
        let reply: JSONValue
        do {
            reply = try await qmp.execute("query-hotpluggable-cpus")
        } catch {
            throw .failed(step: "query-hotpluggable-cpus", reason: "\(error)")
        }
        return (reply.arrayValue ?? []).compactMap { slot in
            guard let type = slot["type"]?.stringValue, case .object(let properties)? = slot["props"] else { return nil }
            // Places are numbered across sockets, cores and threads, whichever the topology varies.
            let index = ["socket-id", "die-id", "core-id", "thread-id"].reduce(Int64(0)) { $0 * 256 + (properties[$1]?.intValue ?? 0) }
            return CPUSlot(type: type, properties: properties, place: index, path: slot["qom-path"]?.stringValue)
        }
    }
}
