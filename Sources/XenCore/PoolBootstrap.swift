import XenAPI
import XenAPIModel
import XenBackend
import XenDB

/// Start-up on a database that does not know every machine yet: the first start makes the pool,
/// with the first machine as its coordinator and the management network every host joins; each
/// machine the database lacks gets its host, as a freshly installed XenServer joined to the pool
/// looks: metrics, CPUs, control domain, management interface and "Local storage". A pool made
/// with several hosts gets shared storage as its default SR (`SharedStorage`).
enum PoolBootstrap {
    /// The control domain's VCPUs.
    private static let dom0VCPUs: Int64 = 4
    /// The bridge of the management network, as XenServer names the first one.
    static let managementBridge = "xenbr0"

    static func run(_ services: CoreServices) async throws(XenAPIError) {
        var added: [String] = []
        for machine in services.machines {
            guard !services.database.snapshot.objects(Host.self).contains(where: { $0.uuid == machine.inventory.uuid })
            else { continue }
            added.append(machine.inventory.uuid)
            let facts: HostFacts
            do throws(HypervisorError) {
                facts = try await machine.hypervisor.hostFacts()
            } catch {
                throw PlanExecution.apiError(error)
            }
            try await add(machine.inventory, facts, await machine.packages.release(), services)
        }
        // A pool made of several hosts shares its storage (made until it is, should a start be
        // cut short); a host added later reaches it too.
        if services.database.snapshot.objects(Pool.self).first?.otherConfig[SharedStorage.pendingKey] != nil {
            try await SharedStorage.make(services)
        } else {
            for host in services.database.snapshot.objects(Host.self) where added.contains(host.uuid) {
                try await SharedStorage.connect(host.ref, services)
            }
        }
    }

    /// Adds one machine's host (making the pool and its network first if there is none).
    private static func add(
        _ inventory: HostInventory, _ facts: HostFacts, _ release: HostRelease, _ services: CoreServices
    ) async throws(XenAPIError) {
        let ids = Ids(services, cpuCount: facts.cpuCount)
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            if tx.snapshot.count(Pool.className) == 0 {
                let several = services.machines.count > 1
                try tx.insert(ids.pool) { record in
                    record.uuid = ids.uuids[0]
                    if several { record.otherConfig[SharedStorage.pendingKey] = "true" }
                    record.master = ids.host
                    record.defaultSR = ids.sr
                    record.suspendImageSR = ids.sr
                    record.crashDumpSR = ids.sr
                }
                try tx.insert(ids.network) { network in
                    network.uuid = ids.uuids[1]
                    network.nameLabel = "Pool-wide network associated with eth0"
                    network.bridge = managementBridge
                    network.otherConfig = ["automatic": "true"]
                }
            }
            let network = tx.snapshot.objects(Network.self).first { $0.bridge == managementBridge }?.ref ?? ids.network
            try insertHost(inventory, facts, release, ids, services, &tx)
            try insertControlDomain(inventory, ids, services, &tx)
            try insertManagementInterface(inventory, network: network, ids, &tx)
            try insertLocalStorage(inventory, ids, services, &tx)
            try Licensing.refreshPoolRestrictions(&tx, at: ids.now)
            try RollingUpgrade.refresh(&tx)
        }
    }

    /// The references and uuids one host's objects get.
    private struct Ids {
        let pool: Ref<Pool>, network: Ref<Network>, host: Ref<Host>, hostMetrics: Ref<HostMetrics>
        let dom0: Ref<VM>, dom0Metrics: Ref<VMMetrics>, pif: Ref<PIF>, sr: Ref<SR>, pbd: Ref<PBD>
        let cpus: [Ref<HostCPU>]
        let uuids: [String]
        let now: DateTime

        init(_ services: CoreServices, cpuCount: Int) {
            pool = services.makeRef()
            network = services.makeRef()
            host = services.makeRef()
            hostMetrics = services.makeRef()
            dom0 = services.makeRef()
            dom0Metrics = services.makeRef()
            pif = services.makeRef()
            sr = services.makeRef()
            pbd = services.makeRef()
            cpus = (0..<cpuCount).map { _ in services.makeRef() }
            uuids = (0..<(9 + cpuCount)).map { _ in services.environment.makeUUID() }
            now = services.now()
        }
    }

    private static func insertHost(
        _ inventory: HostInventory, _ facts: HostFacts, _ release: HostRelease, _ ids: Ids, _ services: CoreServices,
        _ tx: inout Transaction
    ) throws(XenAPIError) {
        let model = DataModel.current
        try tx.insert(ids.hostMetrics) { metrics in
            metrics.uuid = ids.uuids[2]
            metrics.memoryTotal = facts.totalMemory
            metrics.memoryFree = facts.freeMemory
            metrics.live = true
            metrics.lastUpdated = ids.now
        }
        try tx.insert(ids.host) { record in
            record.uuid = inventory.uuid
            record.nameLabel = inventory.hostname
            record.nameDescription = "Default install"
            record.apiVersionMajor = Int64(model.apiVersionMajor)
            record.apiVersionMinor = Int64(model.apiVersionMinor)
            record.apiVersionVendor = "XenSource"
            record.enabled = true
            record.softwareVersion = RollingUpgrade.softwareVersion(release, hostname: inventory.hostname, date: ids.now)
            record.hostname = inventory.hostname
            record.address = inventory.address
            record.metrics = ids.hostMetrics
            record.capabilities = ["xen-3.0-x86_64", "hvm-3.0-x86_32", "hvm-3.0-x86_64"]
            record.schedPolicy = "credit"
            record.edition = Licensing.defaultEdition.name
            record.licenseParams = Licensing.licenseParams(Licensing.defaultEdition, appliedAt: ids.now)
            record.editions = Licensing.editions.map(\.name)
            record.cpuInfo = [
                "cpu_count": String(facts.cpuCount), "socket_count": "1", "vendor": "GenuineIntel",
                "speed": "2400.000", "modelname": "Simulated CPU",
            ]
            record.memoryOverhead = 0
            record.controlDomain = ids.dom0
            record.suspendImageSR = ids.sr
            record.crashDumpSR = ids.sr
        }
        for (index, cpu) in ids.cpus.enumerated() {
            try tx.insert(cpu) { record in
                record.uuid = ids.uuids[9 + index]
                record.host = ids.host
                record.number = Int64(index)
                record.vendor = "GenuineIntel"
                record.speed = 2400
                record.modelname = "Simulated CPU"
            }
        }
    }

    private static func insertControlDomain(
        _ inventory: HostInventory, _ ids: Ids, _ services: CoreServices, _ tx: inout Transaction
    ) throws(XenAPIError) {
        let dom0Memory = services.configuration.controlDomainMemory
        try tx.insert(ids.dom0Metrics) { metrics in
            metrics.uuid = ids.uuids[3]
            metrics.memoryActual = dom0Memory
            metrics.vcpusNumber = dom0VCPUs
            metrics.startTime = ids.now
            metrics.installTime = ids.now
            metrics.lastUpdated = ids.now
            metrics.currentDomainType = .pv
        }
        try tx.insert(ids.dom0) { vm in
            vm.uuid = ids.uuids[4]
            vm.nameLabel = "Control domain on host: \(inventory.hostname)"
            vm.nameDescription = "The domain which manages physical devices and manages other domains"
            vm.powerState = .running
            vm.isControlDomain = true
            vm.residentOn = ids.host
            vm.affinity = ids.host
            vm.domid = 0
            vm.metrics = ids.dom0Metrics
            vm.memoryStaticMax = dom0Memory
            vm.memoryDynamicMax = dom0Memory
            vm.memoryDynamicMin = dom0Memory
            vm.memoryStaticMin = dom0Memory
            vm.vcpusMax = dom0VCPUs
            vm.vcpusAtStartup = dom0VCPUs
            vm.actionsAfterShutdown = .destroy
            vm.actionsAfterReboot = .restart
            vm.actionsAfterCrash = .restart
            vm.domainType = .pv
        }
    }

    private static func insertManagementInterface(
        _ inventory: HostInventory, network: Ref<Network>, _ ids: Ids, _ tx: inout Transaction
    ) throws(XenAPIError) {
        try tx.insert(ids.pif) { pif in
            pif.uuid = ids.uuids[5]
            pif.device = "eth0"
            pif.network = network
            pif.host = ids.host
            pif.mac = inventory.managementMAC
            pif.mtu = 1500
            pif.vlan = -1
            pif.physical = true
            pif.currentlyAttached = true
            pif.management = true
            pif.ipConfigurationMode = .static
            pif.ip = inventory.address
            pif.netmask = "255.255.255.0"
        }
    }

    private static func insertLocalStorage(
        _ inventory: HostInventory, _ ids: Ids, _ services: CoreServices, _ tx: inout Transaction
    ) throws(XenAPIError) {
        try tx.insert(ids.sr) { sr in
            sr.uuid = ids.uuids[6]
            sr.nameLabel = "Local storage"
            sr.type = "ext"
            sr.contentType = "user"
            sr.shared = false
            sr.otherConfig = ["i18n-key": "local-storage", "i18n-original-value-name_label": "Local storage"]
            sr.smConfig = ["devserial": "simulated-\(inventory.uuid)"]
        }
        try tx.insert(ids.pbd) { pbd in
            pbd.uuid = ids.uuids[7]
            pbd.host = ids.host
            pbd.sr = ids.sr
            pbd.deviceConfig = ["device": "/dev/sda3"]
            pbd.currentlyAttached = true
        }
    }
}
