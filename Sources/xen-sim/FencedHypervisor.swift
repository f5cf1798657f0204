import Synchronization
import XenBackend

/// A hypervisor as one incarnation of the toolstack reaches it: once that process has crashed,
/// nothing it still runs reaches the hypervisor (its domains carry on; only the dead process's
/// calls are cut off, as they would be with the process gone).
final class FencedHypervisor: Hypervisor {
    private let inner: any Hypervisor
    private let fenced = Atomic(false)

    init(_ inner: any Hypervisor) { self.inner = inner }

    /// The process that owns this handle has died.
    func fence() { fenced.store(true, ordering: .sequentiallyConsistent) }

    private func check(_ step: String) throws(HypervisorError) {
        if fenced.load(ordering: .sequentiallyConsistent) { throw .cancelled(step: step) }
    }

    func hostFacts() async throws(HypervisorError) -> HostFacts { try await inner.hostFacts() }

    func create(_ spec: DomainSpec) async throws(HypervisorError) -> Int64 {
        try check("create")
        return try await inner.create(spec)
    }

    func build(_ vm: String) async throws(HypervisorError) {
        try check("build")
        try await inner.build(vm)
    }

    func pause(_ vm: String) async throws(HypervisorError) {
        try check("pause")
        try await inner.pause(vm)
    }

    func unpause(_ vm: String) async throws(HypervisorError) {
        try check("unpause")
        try await inner.unpause(vm)
    }

    func requestShutdown(_ vm: String, reason: ShutdownReason) async throws(HypervisorError) -> Bool {
        try check("request_shutdown")
        return try await inner.requestShutdown(vm, reason: reason)
    }

    func waitShutdown(_ vm: String, timeout: Duration) async throws(HypervisorError) -> Bool {
        try check("wait_shutdown")
        return try await inner.waitShutdown(vm, timeout: timeout)
    }

    func destroy(_ vm: String) async throws(HypervisorError) {
        try check("destroy")
        try await inner.destroy(vm)
    }

    func destroy(_ vm: String, ifStill state: DomainStat.State) async throws(HypervisorError) -> Bool {
        try check("destroy")
        return try await inner.destroy(vm, ifStill: state)
    }

    func rename(_ vm: String, to name: String) async throws(HypervisorError) {
        try check("rename")
        try await inner.rename(vm, to: name)
    }

    func save(_ vm: String, to image: DiskImage?) async throws(HypervisorError) {
        try check("save")
        try await inner.save(vm, to: image)
    }

    func restore(_ vm: String, from image: DiskImage?) async throws(HypervisorError) {
        try check("restore")
        try await inner.restore(vm, from: image)
    }

    func discardSavedImage(_ vm: String) async throws(HypervisorError) {
        try check("discard_saved_image")
        try await inner.discardSavedImage(vm)
    }

    func hasSavedImage(_ vm: String) async -> Bool { await inner.hasSavedImage(vm) }

    func plug(_ vm: String, _ device: VirtualDevice, backing: DeviceBacking?) async throws(HypervisorError) {
        try check("plug")
        try await inner.plug(vm, device, backing: backing)
    }

    func unplug(_ vm: String, _ device: VirtualDevice, force: Bool) async throws(HypervisorError) {
        try check("unplug")
        try await inner.unplug(vm, device, force: force)
    }

    func pauseDisk(_ vm: String, path: String) async throws(HypervisorError) {
        try check("pause_disk")
        try await inner.pauseDisk(vm, path: path)
    }

    /// Not cut off: a dead toolstack's pauses end with it (on a real host the servers holding
    /// the disks die with the process).
    func unpauseDisk(_ vm: String, path: String) async throws(HypervisorError) {
        try await inner.unpauseDisk(vm, path: path)
    }

    func changeMedia(_ vm: String, drive: Int, media: String?) async throws(HypervisorError) {
        try check("change_media")
        try await inner.changeMedia(vm, drive: drive, media: media)
    }

    func setVCPUs(_ vm: String, count: Int64) async throws(HypervisorError) {
        try check("set_vcpus")
        try await inner.setVCPUs(vm, count: count)
    }

    func setMemoryTarget(_ vm: String, bytes: Int64) async throws(HypervisorError) -> Int64 {
        try check("set_memory_target")
        return try await inner.setMemoryTarget(vm, bytes: bytes)
    }

    func receiveMigration(_ vm: String) async throws(HypervisorError) -> MigrationEndpoint {
        try check("receive_migration")
        return try await inner.receiveMigration(vm)
    }

    func sendMigration(_ vm: String, to endpoint: MigrationEndpoint) async throws(HypervisorError) {
        try check("send_migration")
        try await inner.sendMigration(vm, to: endpoint)
    }

    func stat(_ vm: String) async -> DomainStat? { await inner.stat(vm) }

    func updates(since generation: Int64) async -> (generation: Int64, changed: [String]) {
        await inner.updates(since: generation)
    }

    func guestDiskWrites(_ vm: String) async -> [GuestDiskWrite] {
        if fenced.load(ordering: .sequentiallyConsistent) { return [] }
        return await inner.guestDiskWrites(vm)
    }
}
