import XenAPI

/// The memory a domain needs beyond what its guest sees, as xapi computes `memory_overhead`
/// (xenopsd's memory model): shadow page tables and the p2m map (a page per MiB of static
/// maximum, twice, and 256 pages per VCPU, times the shadow multiplier), Xen's per-VCPU pages,
/// and a MiB or two of padding by domain type (plus the PV shim for PV-in-PVH guests).
enum MemoryOverhead {
    private static let mib: Int64 = 1 << 20
    private static let pagesPerMiB: Int64 = 256

    /// The overhead of a VM with this record, in bytes.
    static func bytes(of vm: VM) -> Int64 {
        bytes(staticMax: vm.memoryStaticMax, vcpusMax: vm.vcpusMax, multiplier: vm.hvmShadowMultiplier, type: effectiveType(vm))
    }

    static func bytes(staticMax: Int64, vcpusMax: Int64, multiplier: Double, type: DomainType) -> Int64 {
        let staticMaxMiB = divideRoundingUp(staticMax, mib)
        let (xenOffset, external, shim): (Int64, Int64, Int64)
        switch type {
        case .pv: (xenOffset, external, shim) = (0, 1, 0)
        case .pvInPvh: (xenOffset, external, shim) = (1, 1, 23 + staticMaxMiB / 90)
        default: (xenOffset, external, shim) = (1, 1, 0)
        }
        let shadowPages = pagesPerMiB * vcpusMax + 2 * staticMaxMiB
        let shadow = max(1, Int64(Double(divideRoundingUp(shadowPages, pagesPerMiB)) * multiplier))
        let xenPerVCPU = divideRoundingUp(38 * vcpusMax, pagesPerMiB)
        return (xenOffset + external + shadow + xenPerVCPU + shim) * mib
    }

    /// The domain type xapi uses when the record leaves it unspecified: HVM when it has a boot
    /// policy, PV otherwise.
    static func effectiveType(_ vm: VM) -> DomainType {
        guard vm.domainType == .unspecified else { return vm.domainType }
        return vm.hvmBootPolicy.isEmpty ? .pv : .hvm
    }

    private static func divideRoundingUp(_ numerator: Int64, _ denominator: Int64) -> Int64 {
        (numerator + denominator - 1) / denominator
    }
}
