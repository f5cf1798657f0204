extension DataModel {
    /// The `host` class: a physical machine running the hypervisor and toolstack.
    @_optimize(none)
    static func hostClass() -> ClassModel {
        ClassModel(
            name: "host", doc: "A physical host running the hypervisor.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                namespace(
                    "name",
                    [
                        field(
                            "label", .string, .readWrite, default: .string(""),
                            doc: "Human-readable name"),
                        field(
                            "description", .string, .readWrite, default: .string(""),
                            doc: "Human-readable description"),
                    ]),
                namespace(
                    "memory",
                    [
                        field(
                            "overhead", .int, default: .int(0),
                            doc: "Virtualisation memory overhead, in bytes"),
                    ]),
                field(
                    "allowed_operations", .set(.enumeration("host_allowed_operations")), default: .emptySet,
                    doc: "Operations currently allowed on the host"),
                field(
                    "current_operations", .map(.string, .enumeration("host_allowed_operations")), default: .emptyMap,
                    doc: "Operations in progress, keyed by task reference"),
                namespace(
                    "API_version",
                    [
                        field("major", .int, doc: "Major API version number"),
                        field("minor", .int, doc: "Minor API version number"),
                        field("vendor", .string, doc: "API vendor identification"),
                        field(
                            "vendor_implementation", .stringMap,
                            doc: "Details of the vendor's API implementation"),
                    ]),
                field("enabled", .bool, doc: "Whether the host accepts new VMs"),
                field("software_version", .stringMap, .staticReadOnly, doc: "Versions of the installed software"),
                field("other_config", .stringMap, .readWrite, doc: "Additional configuration"),
                field("capabilities", .stringSet, .staticReadOnly, doc: "Xen capabilities of the host"),
                field("cpu_configuration", .stringMap, doc: "CPU configuration of the host"),
                field("sched_policy", .string, doc: "Scheduler policy in use"),
                field("supported_bootloaders", .stringSet, doc: "Bootloaders the host supports"),
                field("resident_VMs", .set(.ref("VM")), doc: "VMs currently resident on the host"),
                field("logging", .stringMap, .readWrite, doc: "Logging configuration"),
                field("PIFs", .set(.ref("PIF")), doc: "Physical network interfaces of the host"),
                field("suspend_image_sr", .ref("SR"), .readWrite, doc: "Storage repository for suspend images"),
                field("crash_dump_sr", .ref("SR"), .readWrite, doc: "Storage repository for crash dumps"),
                field("crashdumps", .set(.ref("host_crashdump")), doc: "Crash dumps of the host"),
                field(
                    "patches", .set(.ref("host_patch")), lifecycle: .deprecated,
                    doc: "Patches applied to the host (legacy)"),
                field("updates", .set(.ref("pool_update")), doc: "Updates applied to the host (legacy)"),
                field("PBDs", .set(.ref("PBD")), doc: "Storage connections of the host"),
                field("host_CPUs", .set(.ref("host_cpu")), doc: "Physical CPUs of the host"),
                field("cpu_info", .stringMap, default: .emptyMap, doc: "CPU information"),
                field("hostname", .string, .readWrite, doc: "The host's hostname"),
                field("address", .string, .readWrite, doc: "The host's management IP address"),
                field("metrics", .ref("host_metrics"), doc: "Metrics of the host"),
                field("license_params", .stringMap, doc: "Licence parameters"),
                field("ha_statefiles", .stringSet, default: .emptySet, doc: "HA statefiles the host uses"),
                field("ha_network_peers", .stringSet, default: .emptySet, doc: "HA peers reachable over the network"),
                field(
                    "blobs", .map(.string, .ref("blob")), default: .emptyMap,
                    doc: "Binary blobs attached to the host"),
                field("tags", .stringSet, .readWrite, default: .emptySet, doc: "User-defined tags"),
                field(
                    "external_auth_type", .string, default: .string(""),
                    doc: "Type of external authentication configured"),
                field(
                    "external_auth_service_name", .string, default: .string(""),
                    doc: "Name of the external authentication service"),
                field(
                    "external_auth_configuration", .stringMap, default: .emptyMap,
                    doc: "Configuration of external authentication"),
                field("edition", .string, default: .string(""), doc: "Product edition"),
                field(
                    "license_server", .stringMap, .readWrite,
                    default: .map([(.string("address"), .string("localhost")), (.string("port"), .string("27000"))]),
                    doc: "Licence server address and port"),
                field("bios_strings", .stringMap, default: .emptyMap, doc: "BIOS strings of the host"),
                field("power_on_mode", .string, default: .string(""), doc: "Method used to power the host on"),
                field("power_on_config", .stringMap, default: .emptyMap, doc: "Configuration of the power-on method"),
                field(
                    "local_cache_sr", .ref("SR"), .staticReadOnly, default: .nullRef,
                    doc: "Storage repository used as a local cache"),
                field("chipset_info", .stringMap, default: .emptyMap, doc: "Chipset information"),
                field("PCIs", .set(.ref("PCI")), doc: "PCI devices of the host"),
                field("PGPUs", .set(.ref("PGPU")), doc: "Physical GPUs of the host"),
                field("PUSBs", .set(.ref("PUSB")), doc: "Physical USB devices of the host"),
                field(
                    "ssl_legacy", .bool, .staticReadOnly, default: .bool(true), lifecycle: .deprecated,
                    doc: "Whether legacy SSL protocols are accepted"),
                field(
                    "guest_VCPUs_params", .stringMap, .readWrite, default: .emptyMap,
                    doc: "VCPU parameters applied to guests"),
                field(
                    "display", .enumeration("host_display"), .readWrite, default: .enumeration("enabled"),
                    doc: "State of the host's physical display"),
                field(
                    "virtual_hardware_platform_versions", .set(.int), default: .set([.int(0)]),
                    doc: "Virtual hardware platform versions the host can run"),
                field("control_domain", .ref("VM"), default: .nullRef, doc: "The host's control domain"),
                field(
                    "updates_requiring_reboot", .set(.ref("pool_update")),
                    doc: "Applied updates that need a reboot to take effect"),
                field("features", .set(.ref("Feature")), doc: "Features available on the host"),
                field("iscsi_iqn", .string, .staticReadOnly, default: .string(""), doc: "The host's iSCSI IQN"),
                field(
                    "multipathing", .bool, .staticReadOnly, default: .bool(false),
                    doc: "Whether storage multipathing is enabled"),
                field(
                    "uefi_certificates", .string, .staticReadOnly, default: .string(""), lifecycle: .deprecated,
                    doc: "UEFI certificates used for Secure Boot"),
                field("certificates", .set(.ref("Certificate")), doc: "TLS certificates installed on the host"),
                field("editions", .stringSet, default: .emptySet, doc: "Product editions the host supports"),
                field(
                    "pending_guidances", .set(.enumeration("update_guidances")), default: .emptySet,
                    doc: "Actions required to complete applied updates"),
                field(
                    "tls_verification_enabled", .bool, default: .bool(false),
                    doc: "Whether TLS certificates are verified"),
                field(
                    "last_software_update", .datetime, default: .epoch, lifecycle: .prototyped,
                    doc: "When updates were last applied"),
                field(
                    "https_only", .bool, default: .bool(false), lifecycle: .prototyped,
                    doc: "Whether plain HTTP on port 80 is closed"),
                field(
                    "latest_synced_updates_applied", .enumeration("latest_synced_updates_applied_state"),
                    default: .enumeration("unknown"), lifecycle: .prototyped,
                    doc: "Whether the latest synchronised updates have been applied"),
                field(
                    "numa_affinity_policy", .enumeration("host_numa_affinity_policy"),
                    default: .enumeration("default_policy"), lifecycle: .prototyped,
                    doc: "NUMA placement policy for VMs"),
                field(
                    "pending_guidances_recommended", .set(.enumeration("update_guidances")), default: .emptySet,
                    lifecycle: .prototyped, doc: "Recommended actions to complete applied updates"),
                field(
                    "pending_guidances_full", .set(.enumeration("update_guidances")), default: .emptySet,
                    lifecycle: .prototyped, doc: "All actions to complete applied updates"),
                field(
                    "last_update_hash", .string, default: .string(""), lifecycle: .prototyped,
                    doc: "Hash of the last applied update set"),
                field("ssh_enabled", .bool, default: .bool(true), doc: "Whether the SSH service is enabled"),
                field(
                    "ssh_enabled_timeout", .int, default: .int(0),
                    doc: "Seconds after which SSH is disabled again (0 = never)"),
                field("ssh_expiry", .datetime, default: .epoch, doc: "When SSH will be disabled automatically"),
                field(
                    "console_idle_timeout", .int, default: .int(0),
                    doc: "Idle timeout for host console sessions, in seconds (0 = none)"),
                field(
                    "ssh_auto_mode", .bool, default: .bool(false),
                    doc: "Whether SSH is managed automatically from the toolstack's health"),
                field("max_cstate", .string, default: .string(""), doc: "Maximum CPU C-state allowed"),
                field("secure_boot", .bool, default: .bool(false), doc: "Whether the host booted with Secure Boot"),
                field(
                    "ntp_mode", .enumeration("host_ntp_mode"), default: .enumeration("Factory"),
                    doc: "Where the host takes its NTP servers from"),
                field("ntp_custom_servers", .stringSet, default: .emptySet, doc: "NTP servers used in Custom mode"),
                field("timezone", .string, default: .string("UTC"), doc: "The host's time zone"),
            ],
            messages: [
                message(
                    "disable",
                    [
                        param("host", .ref("host"), doc: "The host"),
                        param(
                            "auto_enable", .bool, doc: "Whether the host enables itself again when its toolstack restarts",
                            default: .bool(true)),
                    ],
                    doc: "Stop new VMs from starting on the host; running ones carry on.", errors: [.handleInvalid]),
                message(
                    "enable", [param("host", .ref("host"), doc: "The host")],
                    doc: "Let new VMs start on the host again.", errors: [.handleInvalid]),
                message(
                    "evacuate",
                    [
                        param("host", .ref("host"), doc: "The host"),
                        param(
                            "network", .ref("network"), doc: "The network to migrate over (the management network if null)",
                            default: .nullRef),
                        param(
                            "evacuate_batch_size", .int, doc: "How many VMs to migrate at once (0: the default)",
                            default: .int(0)),
                    ],
                    doc: "Live-migrate every VM off the host, each to a host with room for it.",
                    errors: [.cannotEvacuateHost, .hostNotEnoughFreeMemory, .noHostsAvailable]),
                message(
                    "get_vms_which_prevent_evacuation", [param("self", .ref("host"), doc: "The host")],
                    result: .map(.ref("VM"), .stringSet),
                    doc: "The VMs that could not be migrated off the host now, each with the error it would get.",
                    role: .readOnly),
                message(
                    "assert_can_evacuate", [param("host", .ref("host"), doc: "The host")],
                    doc: "Fails with CANNOT_EVACUATE_HOST unless every VM could be migrated off the host now.",
                    errors: [.cannotEvacuateHost], role: .readOnly),
                message(
                    "reboot", [param("host", .ref("host"), doc: "The host")],
                    doc: "Reboot a disabled host with no VMs running on it.",
                    errors: [.hostNotDisabled, .hostInUse]),
                message(
                    "shutdown", [param("host", .ref("host"), doc: "The host")],
                    doc: "Power off a disabled host with no VMs running on it.",
                    errors: [.hostNotDisabled, .hostInUse]),
                message(
                    "power_on", [param("host", .ref("host"), doc: "The host")], doc: "Power on a host that was shut down.", errors: [.hostIsLive]),
                message(
                    "apply_edition",
                    [
                        param("host", .ref("host"), doc: "The host"), param("edition", .string, doc: "The edition"),
                        param("force", .bool, doc: "Apply it even if the licence server cannot be reached", default: .bool(false)),
                    ],
                    doc: "Give the host the edition (one of `editions`).", errors: [.invalidEdition]),
                message(
                    "upgrade",
                    [
                        param("host", .ref("host"), doc: "The host"),
                        param("source", .string, doc: "The new release: a URL or a folder holding its release.json, as an installer ISO"),
                    ],
                    doc: "Install a new release on a disabled host with no VMs running, as its installer would, keeping the "
                        + "release it had as a backup; the host reboots into it. A member never goes past the coordinator's release.",
                    errors: [.hostNotDisabled, .hostInUse, .upgradeCoordinatorFirst, .upgradeSourceInvalid, .upgradeFailed],
                    lifecycle: .prototyped),
                message(
                    "restore_backup", [param("host", .ref("host"), doc: "The host")],
                    doc: "Boot a disabled host with no VMs running back into the release its last upgrade kept as a backup.",
                    errors: [.hostNotDisabled, .hostInUse, .hostHasNoBackup], lifecycle: .prototyped),
                message(
                    "apply_updates",
                    [
                        param("self", .ref("host"), doc: "The host"),
                        param("hash", .string, doc: "The hash pool.sync_updates returned, of the updates reviewed"),
                    ],
                    result: .set(.stringSet),
                    doc: "Install the synced updates on the host; returns warnings (live patches that failed).",
                    errors: [.updateinfoHashMismatch, .hostPendingMandatoryGuidanceNotEmpty, .hostEvacuationIsRequired,
                             .haIsEnabled, .applyUpdatesFailed, .applyUpdatesInProgress, .noRepositoryEnabled]),
                message(
                    "emergency_clear_mandatory_guidance", [],
                    doc: "Clear the coordinator's pending mandatory guidance (an escape hatch, as on XenServer).",
                    async: false, lifecycle: .prototyped),
                message("restart_agent", [param("host", .ref("host"), doc: "The host")], doc: "Restart the host's toolstack; VMs carry on running."),
                message(
                    "get_servertime", [param("host", .ref("host"), doc: "The host")], result: .datetime,
                    doc: "The host's clock, in UTC.", errors: [.handleInvalid], role: .readOnly, async: false),
                message(
                    "compute_free_memory", [param("host", .ref("host"), doc: "The host")], result: .int,
                    doc: "Memory, in bytes, that VMs starting on the host could use now.", errors: [.handleInvalid],
                    role: .readOnly),
            ],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
