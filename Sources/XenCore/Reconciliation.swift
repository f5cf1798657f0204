import XenAPI
import XenBackend
import XenDB

/// Brings the database in line with what the hypervisors actually have (level-triggered, as
/// xenopsd's events are): at start-up, and for a VM whose operation failed part-way. A VM whose
/// domain is gone is halted (xapi: "VM not found on host, marking halted"), or suspended if its
/// saved image waits; one whose domain runs is recorded with its host, real state and domain id;
/// a domain whose guest has shut down, or one left half-made, is destroyed first.
enum Reconciliation {
    /// What the hypervisors have for one VM.
    struct Observation: Sendable {
        var stat: DomainStat?
        /// The host whose hypervisor holds the VM's live domain.
        var host: Ref<Host>
        var savedImage: Bool
    }

    /// How many times a shut-down domain's destruction is tried before the next reconciliation.
    private static let destroyAttempts = 3

    /// Looks for the VM's domain on every host, destroying those whose guest has shut down or
    /// that were left half-made (created, never built; readied for a migration that never came).
    static func observe(_ services: CoreServices, uuid: String) async -> Observation {
        let snapshot = services.database.snapshot
        var found: Observation?
        var savedImage = false
        for machine in services.machines {
            let hypervisor = machine.hypervisor
            await settleDeparting(uuid, on: hypervisor)
            var stat = await hypervisor.stat(uuid)
            var attempts = 0
            while let seen = stat?.state, seen == .shutdown || seen == .created, attempts < destroyAttempts {
                attempts += 1
                // Only as it was seen: a domain readied for a migration may have received its guest since.
                _ = try? await hypervisor.destroy(uuid, ifStill: seen)
                stat = await hypervisor.stat(uuid)
            }
            if await hypervisor.hasSavedImage(uuid) { savedImage = true }
            guard let stat, let host = snapshot.ref(Host.self, uuid: machine.inventory.uuid) else { continue }
            // Two live domains can only be the two ends of a migration: the running one is the guest.
            if found?.stat == nil || (stat.state == .running && found?.stat?.state != .running) {
                found = Observation(stat: stat, host: host, savedImage: false)
            }
        }
        var observation = found ?? Observation(stat: nil, host: .null, savedImage: false)
        observation.savedImage = savedImage
        return observation
    }

    /// A domain a migration to the same host set aside (`Site.departing`) outlived it: if the
    /// guest arrived in the VM's new domain, the departing one is what is left of the old and
    /// goes; if not, the guest is still in it, and it takes the VM's name back.
    private static func settleDeparting(_ uuid: String, on hypervisor: any Hypervisor) async {
        let aside = Site.departingName(of: uuid)
        guard let departing = await hypervisor.stat(aside) else { return }
        let arrived = await hypervisor.stat(uuid).map { $0.state == .running || $0.state == .paused } ?? false
        let holdsGuest = departing.state == .running || departing.state == .paused
        if arrived || !holdsGuest {
            _ = try? await hypervisor.destroy(aside)
            return
        }
        if await hypervisor.stat(uuid) != nil { _ = try? await hypervisor.destroy(uuid) }
        _ = try? await hypervisor.rename(aside, to: uuid)
    }

    /// Records what was observed on the VM; at start-up (`clearingLocks`) operation locks and
    /// reservations left by a crash are dropped too.
    static func record(
        _ observation: Observation, vm: Ref<VM>, clearingLocks: Bool, in tx: inout Transaction
    ) throws(XenAPIError) {
        let stat = observation.stat
        try tx.update(vm) { record in
            switch stat?.state {
            case .running?, .paused?:
                record.powerState = stat?.state == .running ? .running : .paused
                record.domid = stat?.domid ?? -1
                record.residentOn = observation.host
            case nil:
                record.powerState = observation.savedImage ? .suspended : .halted
                record.domid = -1
                record.residentOn = .null
            case .shutdown?, .created?:
                break  // Its destruction keeps failing: the next reconciliation tries again.
            }
            if clearingLocks {
                record.currentOperations = [:]
                record.scheduledToBeResidentOn = .null
            }
        }
        if stat == nil { try GuestMetricsRecording.remove(of: vm, in: &tx) }
        if stat?.state == .running || stat?.state == .paused || stat == nil {
            try VMMessages.setDevicesAttached(stat != nil, of: vm, in: &tx)
        }
        try VMMessages.refreshAllowedOperations(&tx, vm)
    }

    /// At start-up, every VM that is not a template or a control domain; after a host's
    /// toolstack restarts (`residentOn`), the VMs resident on it.
    static func run(_ services: CoreServices, residentOn host: Ref<Host>? = nil) async throws(XenAPIError) {
        let snapshot = services.database.snapshot
        var observed: [(Ref<VM>, Observation)] = []
        for vm in snapshot.objects(VM.self)
        where !vm.isControlDomain && !(vm.isATemplate && vm.powerState == .halted) && (host == nil || vm.residentOn == host) {
            observed.append((vm.ref, await observe(services, uuid: vm.uuid)))
        }
        guard !observed.isEmpty else { return }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for (vm, observation) in observed where tx.snapshot.contains(vm) {
                try record(observation, vm: vm, clearingLocks: true, in: &tx)
            }
        }
        await SuspendImages(services: services).sweep()
    }
}
