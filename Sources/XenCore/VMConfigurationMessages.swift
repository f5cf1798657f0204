import XenAPI
import XenBackend
import XenDB

/// The VM setters xapi checks: VCPUs and memory limits, each checked against the VM's state
/// (`changing_VCPUs`, `changing_memory_limits`…) and its constraints, and written in one commit;
/// and the free device slots.
extension VMMessages {
    private static let vcpuRule = "VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max"

    func setActionsAfterCrash(_ context: CallContext, object vm: Ref<VM>, value: OnCrashBehaviour) async throws {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            _ = try tx.snapshot.require(vm)
            try tx.set(vm, \.actionsAfterCrash, value)
        }
    }

    /// As xapi: the domain type follows the policy (hvm when set, pv when empty).
    func setHVMBootPolicy(_ context: CallContext, object vm: Ref<VM>, value: String) async throws {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            _ = try tx.snapshot.require(vm)
            try tx.update(vm) { record in
                record.hvmBootPolicy = value
                record.domainType = value.isEmpty ? .pv : .hvm
            }
        }
    }

    func setVCPUsMax(_ context: CallContext, object vm: Ref<VM>, value: Int64) async throws {
        try await configure(vm, .changingVCPUs) { record, edit throws(XenAPIError) in
            guard value >= 1, value >= record.vcpusAtStartup else {
                throw XenAPIError.invalidValue(field: Self.vcpuRule, value: String(value))
            }
            edit.vcpusMax = value
        }
    }

    func setVCPUsAtStartup(_ context: CallContext, object vm: Ref<VM>, value: Int64) async throws {
        try await configure(vm, .changingVCPUs) { record, edit throws(XenAPIError) in
            guard value >= 1, value <= record.vcpusMax else {
                throw XenAPIError.invalidValue(field: Self.vcpuRule, value: String(value))
            }
            edit.vcpusAtStartup = value
        }
    }

    /// As xapi's `set_VCPUs_number_live`: the guest gets the VCPUs first, then `VCPUs_at_startup`
    /// and the metrics' `VCPUs_number` say so.
    func setVCPUsNumberLive(_ context: CallContext, object vm: Ref<VM>, nvcpu: Int64) async throws {
        try await operate(context, vm, .changingVCPUsLive) { record, host in
            guard nvcpu >= 1, nvcpu <= record.vcpusMax else {
                throw XenAPIError.invalidValue(field: "VCPU values must satisfy: 0 < VCPUs ≤ VCPUs_max", value: String(nvcpu))
            }
            let hypervisor = try services.hypervisor(of: host, in: services.database.snapshot)
            do throws(HypervisorError) {
                try await hypervisor.setVCPUs(record.uuid, count: nvcpu)
            } catch .guestCannotCooperate {
                throw XenAPIError.vmMissingPVDrivers(vm: vm.rawValue)
            } catch {
                throw PlanExecution.apiError(error)
            }
            return { tx throws(XenAPIError) in
                try tx.set(vm, \.vcpusAtStartup, nvcpu)
                if tx.snapshot.contains(record.metrics) { try tx.set(record.metrics, \.vcpusNumber, nvcpu) }
            }
        }
    }

    func setMemoryLimits(
        _ context: CallContext, object vm: Ref<VM>, staticMin: Int64, staticMax: Int64, dynamicMin: Int64, dynamicMax: Int64
    ) async throws {
        try await setMemory(vm, .changingMemoryLimits) { _ in
            MemoryLimits(staticMin: staticMin, dynamicMin: dynamicMin, dynamicMax: dynamicMax, staticMax: staticMax)
        }
    }

    func setMemory(_ context: CallContext, object vm: Ref<VM>, value: Int64) async throws {
        try await setMemory(vm, .changingMemoryLimits) { current in
            MemoryLimits(staticMin: current.staticMin, dynamicMin: value, dynamicMax: value, staticMax: value)
        }
    }

    func setMemoryStaticRange(_ context: CallContext, object vm: Ref<VM>, min: Int64, max: Int64) async throws {
        try await setMemory(vm, .changingStaticRange) { current in
            MemoryLimits(staticMin: min, dynamicMin: current.dynamicMin, dynamicMax: current.dynamicMax, staticMax: max)
        }
    }

    func setMemoryDynamicRange(_ context: CallContext, object vm: Ref<VM>, min: Int64, max: Int64) async throws {
        try await setMemory(vm, .changingDynamicRange) { current in
            MemoryLimits(staticMin: current.staticMin, dynamicMin: min, dynamicMax: max, staticMax: current.staticMax)
        }
    }

    // As in xapi, the single-value setters are the range setters with the other end kept.

    func setMemoryStaticMax(_ context: CallContext, object vm: Ref<VM>, value: Int64) async throws {
        try await setMemory(vm, .changingStaticRange) { current in
            MemoryLimits(staticMin: current.staticMin, dynamicMin: current.dynamicMin, dynamicMax: current.dynamicMax, staticMax: value)
        }
    }

    func setMemoryStaticMin(_ context: CallContext, object vm: Ref<VM>, value: Int64) async throws {
        try await setMemory(vm, .changingStaticRange) { current in
            MemoryLimits(staticMin: value, dynamicMin: current.dynamicMin, dynamicMax: current.dynamicMax, staticMax: current.staticMax)
        }
    }

    func setMemoryDynamicMax(_ context: CallContext, object vm: Ref<VM>, value: Int64) async throws {
        try await setMemory(vm, .changingDynamicRange) { current in
            MemoryLimits(staticMin: current.staticMin, dynamicMin: current.dynamicMin, dynamicMax: value, staticMax: current.staticMax)
        }
    }

    func setMemoryDynamicMin(_ context: CallContext, object vm: Ref<VM>, value: Int64) async throws {
        try await setMemory(vm, .changingDynamicRange) { current in
            MemoryLimits(staticMin: current.staticMin, dynamicMin: value, dynamicMax: current.dynamicMax, staticMax: current.staticMax)
        }
    }

    /// xapi's `make_into_template` check when the VM becomes a template (it must be halted);
    /// becoming a VM again counts as its install time.
    func setIsATemplate(_ context: CallContext, object vm: Ref<VM>, value: Bool) async throws {
        let now = services.now()
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let record = try tx.snapshot.require(vm)
            if value {
                try VMPowerRules.check(record, .makeIntoTemplate, in: tx.snapshot)
            } else if tx.snapshot.contains(record.metrics) {
                try tx.set(record.metrics, \.installTime, now)
            }
            try tx.set(vm, \.isATemplate, value)
            try Self.refreshAllowedOperations(&tx, vm)
        }
    }

    func getAllowedVBDDevices(_ context: CallContext, vm: Ref<VM>) async throws -> [String] {
        let snapshot = services.database.snapshot
        return DeviceSlots.freeVBDSlots(of: try snapshot.require(vm), in: snapshot)
    }

    func getAllowedVIFDevices(_ context: CallContext, vm: Ref<VM>) async throws -> [String] {
        let snapshot = services.database.snapshot
        return DeviceSlots.freeVIFSlots(of: try snapshot.require(vm), in: snapshot)
    }

    /// A VM's four memory limits.
    struct MemoryLimits: Sendable, Equatable {
        var staticMin, dynamicMin, dynamicMax, staticMax: Int64

        /// `static_min ≤ dynamic_min ≤ dynamic_max ≤ static_max`.
        var ordered: Bool { staticMin <= dynamicMin && dynamicMin <= dynamicMax && dynamicMax <= staticMax }
    }

    /// Sets the limits `change` makes of the current ones, if they are in order. A running or
    /// paused VM's new dynamic range is a balloon target first (its dynamic maximum, as squeezed
    /// gives a guest when the host has the room), so a host that cannot give the growth refuses
    /// before anything is written; the guest's settled size becomes its `memory_actual`.
    private func setMemory(
        _ vm: Ref<VM>, _ operation: VMOperations, _ change: @escaping @Sendable (MemoryLimits) -> MemoryLimits
    ) async throws(XenAPIError) {
        let snapshot = services.database.snapshot
        let current = try snapshot.require(vm)
        var actual: Int64?
        if operation == .changingDynamicRange, current.powerState == .running || current.powerState == .paused {
            let limits = change(Self.limits(of: current))
            guard limits.ordered else { throw XenAPIError.memoryConstraintViolationOrder() }
            try VMPowerRules.check(current, operation, in: snapshot)
            let hypervisor = try services.hypervisor(of: current.residentOn, in: snapshot)
            do throws(HypervisorError) {
                actual = try await hypervisor.setMemoryTarget(current.uuid, bytes: limits.dynamicMax + current.memoryOverhead)
            } catch {
                throw PlanExecution.apiError(error)
            }
        }
        try await configure(vm, operation) { record, edit throws(XenAPIError) in
            let limits = change(Self.limits(of: record))
            guard limits.ordered else { throw XenAPIError.memoryConstraintViolationOrder() }
            edit.memoryStaticMin = limits.staticMin
            edit.memoryDynamicMin = limits.dynamicMin
            edit.memoryDynamicMax = limits.dynamicMax
            edit.memoryStaticMax = limits.staticMax
        }
        if let actual {
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                let metrics = try tx.snapshot.require(vm).metrics
                if tx.snapshot.contains(metrics) { try tx.set(metrics, \.memoryActual, actual) }
            }
        }
    }

    private static func limits(of record: ObjectView<VM>) -> MemoryLimits {
        MemoryLimits(
            staticMin: record.memoryStaticMin, dynamicMin: record.memoryDynamicMin, dynamicMax: record.memoryDynamicMax,
            staticMax: record.memoryStaticMax)
    }

    /// Checks `operation` against the VM and makes the change in one write.
    func configure(
        _ vm: Ref<VM>, _ operation: VMOperations,
        _ change: @escaping @Sendable (ObjectView<VM>, inout ObjectEditor<VM>) throws(XenAPIError) -> Void
    ) async throws(XenAPIError) {
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let record = try tx.snapshot.require(vm)
            try VMPowerRules.check(record, operation, in: tx.snapshot)
            try tx.update(vm) { edit throws(XenAPIError) in try change(record, &edit) }
            // As xapi's `update_memory_overhead`: the overhead follows static_max and VCPUs_max.
            let overhead = MemoryOverhead.bytes(of: try tx.snapshot.require(vm).record)
            if !record.isControlDomain, record.memoryOverhead != overhead { try tx.set(vm, \.memoryOverhead, overhead) }
            try Self.refreshAllowedOperations(&tx, vm)
        }
    }
}
