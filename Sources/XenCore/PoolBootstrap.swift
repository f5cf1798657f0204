import XenAPI
import XenAPIModel
import XenDB

/// First start on an empty database: one pool whose coordinator is this host, with the host's
/// metrics, CPUs and control domain, the way a freshly installed XenServer looks.
enum PoolBootstrap {
    /// The control domain's VCPUs.
    private static let dom0VCPUs: Int64 = 4

    static func run(_ services: CoreServices) async throws(XenAPIError) {
        guard services.database.snapshot.count(Pool.className) == 0 else { return }
        let config = services.configuration
        let dom0Memory = config.controlDomainMemory
        let env = services.environment
        let now = services.now()
        let pool = services.makeRef(Pool.self), host = services.makeRef(Host.self)
        let hostMetrics = services.makeRef(HostMetrics.self)
        let dom0 = services.makeRef(VM.self), dom0Metrics = services.makeRef(VMMetrics.self)
        let cpus = (0..<config.cpuCount).map { _ in services.makeRef(HostCPU.self) }
        let uuids = (0..<(5 + cpus.count)).map { _ in env.makeUUID() }
        let model = DataModel.current
        let apiVersion = "\(model.apiVersionMajor).\(model.apiVersionMinor)"
        let xapi = config.xapiVersion
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.insert(hostMetrics) { metrics in
                metrics.uuid = uuids[0]
                metrics.memoryTotal = config.memoryTotal
                metrics.memoryFree = config.memoryTotal - dom0Memory
                metrics.live = true
                metrics.lastUpdated = now
            }
            try tx.insert(host) { record in
                record.uuid = uuids[1]
                record.nameLabel = config.hostname
                record.nameDescription = "Default install"
                record.apiVersionMajor = Int64(model.apiVersionMajor)
                record.apiVersionMinor = Int64(model.apiVersionMinor)
                record.apiVersionVendor = "XenSource"
                record.enabled = true
                record.softwareVersion = [
                    "product_version": config.productVersion, "product_version_text": config.productVersion,
                    "product_version_text_short": config.productVersion, "product_brand": "XenServer",
                    "platform_name": "XCP", "platform_version": "3.4.0", "build_number": config.buildNumber,
                    "xapi": "\(xapi.major).\(xapi.minor)", "xapi_build": "\(xapi.major).\(xapi.minor).\(xapi.patch)",
                    "xen": "4.17.5", "linux": "4.19.0+1", "hostname": config.hostname, "date": now.wireText,
                    "network_backend": "openvswitch", "xencenter_min": "2.21", "xencenter_max": apiVersion,
                ]
                record.hostname = config.hostname
                record.address = config.address
                record.metrics = hostMetrics
                record.capabilities = ["xen-3.0-x86_64", "hvm-3.0-x86_32", "hvm-3.0-x86_64"]
                record.schedPolicy = "credit"
                record.edition = "xenserver-premium"
                record.licenseParams = ["restrict_pooling": "false", "sku_type": "xenserver-premium"]
                record.cpuInfo = [
                    "cpu_count": String(config.cpuCount), "socket_count": "1", "vendor": "GenuineIntel",
                    "speed": "2400.000", "modelname": "Simulated CPU",
                ]
                record.memoryOverhead = 0
                record.controlDomain = dom0
            }
            for (index, cpu) in cpus.enumerated() {
                try tx.insert(cpu) { record in
                    record.uuid = uuids[5 + index]
                    record.host = host
                    record.number = Int64(index)
                    record.vendor = "GenuineIntel"
                    record.speed = 2400
                    record.modelname = "Simulated CPU"
                }
            }
            try tx.insert(dom0Metrics) { metrics in
                metrics.uuid = uuids[2]
                metrics.memoryActual = dom0Memory
                metrics.vcpusNumber = dom0VCPUs
                metrics.startTime = now
                metrics.installTime = now
                metrics.lastUpdated = now
                metrics.currentDomainType = .pv
            }
            try tx.insert(dom0) { vm in
                vm.uuid = uuids[3]
                vm.nameLabel = "Control domain on host: \(config.hostname)"
                vm.nameDescription = "The domain which manages physical devices and manages other domains"
                vm.powerState = .running
                vm.isControlDomain = true
                vm.residentOn = host
                vm.domid = 0
                vm.metrics = dom0Metrics
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
            try tx.insert(pool) { record in
                record.uuid = uuids[4]
                record.master = host
            }
        }
    }
}
