import XenAPI
import XenDB

/// `xapid --demo`: a pool with something in it. On a pool with no VMs yet, a few VMs are installed
/// from the built-in templates the way `xe vm-install` does (clone, disks on the pool's default SR,
/// provision), each given an interface on the management network, and all but one started, so
/// placement spreads them over the hosts.
public enum PoolDemo {
    /// The demo's VMs: name, template, and whether it runs.
    static let machines: [(name: String, template: String, running: Bool)] = [
        ("web-1", "Debian Bookworm 12", true),
        ("web-2", "Debian Bookworm 12", true),
        ("db-1", "Ubuntu Noble Numbat 24.04", true),
        ("app-1", "Rocky Linux 9", true),
        ("win-1", "Windows Server 2022 (64-bit)", true),
        ("build-1", "Ubuntu Jammy Jellyfish 22.04", false),
    ]

    /// Installs the demo VMs unless the pool already has VMs of its own.
    public static func populate(_ services: CoreServices) async throws(XenAPIError) {
        let snapshot = services.database.snapshot
        guard !snapshot.objects(VM.self).contains(where: { !$0.isControlDomain && !$0.isATemplate }) else { return }
        let context = CallContext(session: .null, task: nil, method: "demo", origin: .localSocket)
        let vms = VMMessages(services: services)
        let pool = try snapshot.require(snapshot.refs(Pool.self).first ?? .null)
        let srUUID = try snapshot.require(pool.defaultSR).uuid
        for machine in machines {
            let snapshot = services.database.snapshot
            guard let template = snapshot.objects(VM.self).first(where: { $0.isDefaultTemplate && $0.nameLabel == machine.template })
            else { continue }
            let vm: Ref<VM>
            do {
                vm = try await vms.clone(context, vm: template.ref, newName: machine.name)
                try await install(vm, srUUID: srUUID, services)
                try await vms.provision(context, vm: vm)
                if machine.running { try await vms.start(context, vm: vm, startPaused: false, force: false) }
            } catch let error as XenAPIError {
                throw error
            } catch {
                throw XenAPIError.internalError(message: "\(error)")
            }
        }
    }

    /// What `xe vm-install` does between the clone and the provision: the template's disks go to
    /// the SR, and the VM gets its first interface on the management network.
    private static func install(_ vm: Ref<VM>, srUUID: String, _ services: CoreServices) async throws(XenAPIError) {
        let (vif, uuid) = (services.makeRef(VIF.self), services.environment.makeUUID())
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            let record = try tx.snapshot.require(vm)
            var disks = try ProvisionDisks(parsing: record.otherConfig["disks"] ?? "<provision></provision>")
            for index in disks.disks.indices where disks.disks[index].sr.isEmpty { disks.disks[index].sr = srUUID }
            try tx.update(vm) { vm in
                vm.otherConfig["disks"] = disks.text
                vm.nameDescription = "Installed by xapid --demo"
            }
            guard let network = tx.snapshot.objects(Network.self).first(where: { $0.bridge == PoolBootstrap.managementBridge })
            else { return }
            try tx.insert(vif) { vif in
                vif.uuid = uuid
                vif.device = "0"
                vif.network = network.ref
                vif.vm = vm
                vif.mtu = network.mtu
            }
            try CreationRules.vif(&tx, vif)
        }
    }
}
