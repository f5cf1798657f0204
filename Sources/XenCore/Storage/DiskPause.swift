import XenAPI
import XenBackend
import XenDB

/// Disks in use held still while their files change underneath them (a snapshot or clone of a
/// disk a running VM has plugged), as SM pauses tapdisk around `VDI.snapshot`: the hypervisor of
/// each running VM with the disk plugged holds back its I/O and lets go of the file until the
/// change is recorded (or undone), then opens the disk's file again — the new leaf.
struct DiskPause {
    /// One running VM's use of one disk file.
    struct Holder {
        var hypervisor: any Hypervisor
        var vm: String
        var path: String
    }

    let holders: [Holder]

    /// The uses of `vdis` (disks in VHD folders) by VMs that may have them open: running or
    /// paused, or with an operation under way (a start, a resume or a migration opens the disk
    /// before the records say so); fails if the host of one of those VMs cannot be reached (the
    /// disk could not be held still).
    init(_ vdis: [ObjectView<VDI>], services: CoreServices, snapshot: Snapshot) throws(XenAPIError) {
        var holders: [Holder] = []
        for vdi in vdis {
            guard let folder = services.vhdFolder(of: vdi.sr, in: snapshot) else { continue }
            for vbd in vdi.vbds {
                guard let drive = snapshot[vbd], let vm = snapshot[drive.vm],
                    vm.powerState == .running || vm.powerState == .paused || !vm.currentOperations.isEmpty
                else { continue }
                for host in Set([vm.residentOn, vm.scheduledToBeResidentOn]) where !host.isNull {
                    let hypervisor = try services.hypervisor(of: host, in: snapshot)
                    holders.append(Holder(hypervisor: hypervisor, vm: vm.uuid, path: folder.file(vdi.location)))
                }
            }
        }
        self.holders = holders
    }

    /// Runs `body` with every use paused; each disk is given back to its guest however `body`
    /// ends. A pause that fails gives back those already made and fails the whole.
    func around<T>(_ body: () async throws(XenAPIError) -> T) async throws(XenAPIError) -> T {
        var paused: [Holder] = []
        for holder in holders {
            do {
                try await holder.hypervisor.pauseDisk(holder.vm, path: holder.path)
                paused.append(holder)
            } catch {
                _ = await give(back: paused)
                throw PlanExecution.apiError(error)
            }
        }
        let result: Result<T, XenAPIError>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        if let failure = await give(back: paused) {
            // The disk that could not be opened again fails the guest's I/O (it does not hang);
            // the caller hears of it, after the body's own failure if it had one.
            if case .success = result { throw PlanExecution.apiError(failure) }
        }
        return try result.get()
    }

    /// Unpauses each use; returns the first failure.
    private func give(back paused: [Holder]) async -> HypervisorError? {
        var failure: HypervisorError?
        for holder in paused.reversed() {
            do {
                try await holder.hypervisor.unpauseDisk(holder.vm, path: holder.path)
            } catch {
                failure = failure ?? error
            }
        }
        return failure
    }
}
