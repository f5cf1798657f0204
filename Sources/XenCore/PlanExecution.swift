import XenAPI
import XenBackend

/// Runs a plan against the hypervisor for one VM, turning the hypervisor's refusals into xapi's
/// errors. Serialisation per VM comes from the operation lock the caller holds
/// (`current_operations`), so one VM never runs two plans at once.
struct PlanExecution {
    /// The hypervisor of the VM's host.
    let hypervisor: any Hypervisor
    /// The VM's ref, for error arguments.
    let vm: Ref<VM>
    /// The domain to create, for `createDomain`.
    let spec: DomainSpec
    /// A migration's destination.
    var destination: (any Hypervisor)? = nil
    /// Where `saveDomain` writes the guest and `restoreDomain` reads it: the VM's suspend VDI.
    var savedImage: DiskImage? = nil

    /// What running the plan produced.
    struct Outcome: Sendable {
        /// The domain id `createDomain` got.
        var domid: Int64?
        /// Where `receiveMigration` waits for the guest.
        var endpoint: MigrationEndpoint?
    }

    func run(_ plan: Plan) async throws(XenAPIError) -> Outcome {
        var outcome = Outcome()
        try await run(plan, into: &outcome)
        return outcome
    }

    private func run(_ plan: Plan, into outcome: inout Outcome) async throws(XenAPIError) {
        switch plan {
        case .step(let step, let site):
            try await run(step, on: site, into: &outcome)
        case .serial(let plans):
            for plan in plans { try await run(plan, into: &outcome) }
        case .parallel(let plans):
            let results = await withTaskGroup(of: Result<Outcome, XenAPIError>.self) { group in
                for plan in plans {
                    group.addTask {
                        do throws(XenAPIError) { return .success(try await self.run(plan)) } catch { return .failure(error) }
                    }
                }
                var results: [Result<Outcome, XenAPIError>] = []
                for await result in group { results.append(result) }
                return results
            }
            for result in results {
                let part = try result.get()
                outcome.domid = part.domid ?? outcome.domid
                outcome.endpoint = part.endpoint ?? outcome.endpoint
            }
        }
    }

    /// Runs one step on its site's hypervisor, noting what it produced.
    private func run(_ step: AtomicStep, on site: Site, into outcome: inout Outcome) async throws(XenAPIError) {
        let hypervisor: any Hypervisor
        var domain = spec.vm
        switch site {
        case .source: hypervisor = self.hypervisor
        case .departing:
            hypervisor = self.hypervisor
            domain = Site.departingName(of: spec.vm)
        case .destination:
            guard let destination else { throw XenAPIError.internalError(message: "a migration step without a destination") }
            hypervisor = destination
        }
        do {
            switch step {
            case .createDomain: outcome.domid = try await hypervisor.create(spec)
            case .buildDomain: try await hypervisor.build(domain)
            case .pauseDomain: try await hypervisor.pause(domain)
            case .unpauseDomain: try await hypervisor.unpause(domain)
            case .requestShutdown(let reason):
                guard try await hypervisor.requestShutdown(domain, reason: reason) else {
                    throw XenAPIError.vmMissingPVDrivers(vm: vm.rawValue)
                }
            case .waitShutdown(let timeout):
                guard try await hypervisor.waitShutdown(domain, timeout: timeout) else {
                    throw XenAPIError.vmShutdownTimeout(vm: vm.rawValue, timeout: String(timeout.components.seconds))
                }
            case .destroyDomain: try await hypervisor.destroy(domain)
            case .saveDomain: try await hypervisor.save(domain, to: savedImage)
            case .restoreDomain: try await hypervisor.restore(domain, from: savedImage)
            case .discardSavedImage: try await hypervisor.discardSavedImage(domain)
            case .receiveMigration: outcome.endpoint = try await hypervisor.receiveMigration(domain)
            case .sendMigration:
                guard let endpoint = outcome.endpoint else {
                    throw XenAPIError.internalError(message: "a migration sent before its receiver was readied")
                }
                try await hypervisor.sendMigration(domain, to: endpoint)
            case .setAside: try await hypervisor.rename(domain, to: Site.departingName(of: spec.vm))
            }
        } catch let error as XenAPIError {
            throw error
        } catch let error as HypervisorError {
            throw apiError(error)
        } catch {
            throw XenAPIError.internalError(message: "\(error)")
        }
    }

    /// xapi's error for a hypervisor refusal.
    func apiError(_ error: HypervisorError) -> XenAPIError {
        if case .guestCannotCooperate = error { return XenAPIError.vmMissingPVDrivers(vm: vm.rawValue) }
        return Self.apiError(error)
    }

    /// xapi's error for a hypervisor refusal that names no VM.
    static func apiError(_ error: HypervisorError) -> XenAPIError {
        switch error {
        case .notEnoughMemory(let needed, let available):
            XenAPIError.hostNotEnoughFreeMemory(needed: String(needed), available: String(available))
        case .notSupported(let operation):
            XenAPIError.operationNotAllowed(reason: "The host's hypervisor cannot \(operation).")
        default:
            XenAPIError.internalError(message: "hypervisor: \(error)")
        }
    }
}
