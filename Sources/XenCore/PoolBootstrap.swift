import Collections
import XenAPI
import XenDB
import XenAPIModel
import XenRPC

/// First start on an empty database: one pool whose coordinator is this host, with the host's
/// metrics, CPUs and control domain, the way a freshly installed XenServer looks.
enum PoolBootstrap {
    static func run(_ services: CoreServices) async throws(XenAPIError) {
        guard services.database.snapshot.count("pool") == 0 else { return }
        let config = services.configuration
        let env = services.environment
        let now = services.now()
        let pool = services.makeRef(), host = services.makeRef(), hostMetrics = services.makeRef()
        let dom0 = services.makeRef(), dom0Metrics = services.makeRef()
        let cpus = (0..<config.cpuCount).map { _ in services.makeRef() }
        let uuids = (0..<(5 + cpus.count)).map { _ in env.makeUUID() }
        let versionText = "\(DataModel.current.apiVersionMajor).\(DataModel.current.apiVersionMinor)"
        let softwareVersion: RPCValue = .structure([
            "product_version": .string(config.productVersion), "product_version_text": .string(config.productVersion),
            "product_version_text_short": .string(config.productVersion), "product_brand": "XenServer",
            "platform_name": "XCP", "platform_version": "3.4.0", "build_number": .string(config.buildNumber),
            "xapi": .string(versionText), "xapi_build": .string(versionText), "xen": "4.17.5", "linux": "4.19.0+1",
            "hostname": .string(config.hostname), "date": .string(WireDateTime.format(secondsSinceEpoch: env.wallClockSeconds())),
            "network_backend": "openvswitch", "xencenter_min": "2.21", "xencenter_max": .string(versionText),
        ])
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.insert(
                "host_metrics", ref: hostMetrics,
                fields: [
                    "uuid": .string(uuids[0]), "memory_total": .int(config.memoryTotal),
                    "memory_free": .int(config.memoryTotal - 4_294_967_296), "live": .bool(true), "last_updated": now,
                ])
            try tx.insert(
                "host", ref: host,
                fields: [
                    "uuid": .string(uuids[1]), "name_label": .string(config.hostname),
                    "name_description": "Default install", "API_version_major": .int(Int64(DataModel.current.apiVersionMajor)),
                    "API_version_minor": .int(Int64(DataModel.current.apiVersionMinor)), "API_version_vendor": "XenSource",
                    "enabled": .bool(true), "software_version": softwareVersion, "hostname": .string(config.hostname),
                    "address": .string(config.address), "metrics": .string(hostMetrics),
                    "capabilities": ["xen-3.0-x86_64", "hvm-3.0-x86_32", "hvm-3.0-x86_64"],
                    "sched_policy": "credit", "edition": "xenserver-premium",
                    "license_params": ["restrict_pooling": "false", "sku_type": "xenserver-premium"],
                    "cpu_info": .structure([
                        "cpu_count": .string(String(config.cpuCount)), "socket_count": "1", "vendor": "GenuineIntel",
                        "speed": "2400.000", "modelname": "Simulated CPU",
                    ]),
                    "memory_overhead": .int(0), "control_domain": .string(dom0),
                ])
            for (index, cpu) in cpus.enumerated() {
                try tx.insert(
                    "host_cpu", ref: cpu,
                    fields: [
                        "uuid": .string(uuids[5 + index]), "host": .string(host), "number": .int(Int64(index)),
                        "vendor": "GenuineIntel", "speed": .int(2400), "modelname": "Simulated CPU",
                    ])
            }
            try tx.insert(
                "VM_metrics", ref: dom0Metrics,
                fields: [
                    "uuid": .string(uuids[2]), "memory_actual": .int(4_294_967_296), "VCPUs_number": .int(4),
                    "state": [], "start_time": now, "install_time": now, "last_updated": now,
                    "current_domain_type": "pv",
                ])
            try tx.insert(
                "VM", ref: dom0,
                fields: [
                    "uuid": .string(uuids[3]), "name_label": .string("Control domain on host: \(config.hostname)"),
                    "name_description": "The domain which manages physical devices and manages other domains",
                    "power_state": "Running", "is_control_domain": .bool(true), "resident_on": .string(host),
                    "domid": .int(0), "metrics": .string(dom0Metrics), "memory_static_max": .int(4_294_967_296),
                    "memory_dynamic_max": .int(4_294_967_296), "memory_dynamic_min": .int(4_294_967_296),
                    "memory_static_min": .int(4_294_967_296), "VCPUs_max": .int(4), "VCPUs_at_startup": .int(4),
                    "actions_after_shutdown": "destroy", "actions_after_reboot": "restart",
                    "actions_after_crash": "restart", "domain_type": "pv",
                ])
            try tx.insert(
                "pool", ref: pool,
                fields: ["uuid": .string(uuids[4]), "name_label": "", "name_description": "", "master": .string(host)])
        }
    }
}
