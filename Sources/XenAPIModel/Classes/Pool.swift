extension DataModel {
    /// `pool.join`'s and `pool.join_force`'s parameters.
    private static let joinParameters = [
        param("master_address", .string, doc: "The coordinator's address: host, host:port or an http URL"),
        param("master_username", .string, doc: "A user name on the coordinator"),
        param("master_password", .string, doc: "Its password"),
    ]

    /// What `pool.join` and `pool.join_force` may fail with.
    private static let joinErrors: [ErrorModel] = [
        .sessionAuthenticationFailed, .joiningHostConnectionFailed, .joiningHostCannotBeMasterOfOtherHosts,
        .joiningHostCannotHaveRunningOrSuspendedVms, .joiningHostCannotHaveVMsWithCurrentOperations,
        .joiningHostCannotContainSharedSrs, .poolJoiningHostHasNonManagementVLANs, .poolJoiningHostMustHaveSameAPIVersion,
        .hostsNotCompatible, .hostsNotHomogeneous, .licenseHostPoolMismatch, .licenceRestriction, .haIsEnabled,
        .rollingOperationActive, .operationNotAllowed, .hostIsSlave,
    ]

    /// The `pool` class: the set of hosts sharing one database, with a single coordinator.
    @_optimize(none)
    static func poolClass() -> ClassModel {
        ClassModel(
            name: "pool", doc: "A pool: a group of hosts managed together through one coordinator.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                namespace(
                    "name",
                    [
                        field("label", .string, .readWrite, doc: "Human-readable name"),
                        field(
                            "description", .string, .readWrite,
                            doc: "Human-readable description"),
                    ]),
                field("master", .ref("host"), doc: "The host acting as pool coordinator"),
                field("default_SR", .ref("SR"), .readWrite, doc: "Default storage repository for new disks"),
                field("suspend_image_SR", .ref("SR"), .readWrite, doc: "Storage repository for suspend images"),
                field("crash_dump_SR", .ref("SR"), .readWrite, doc: "Storage repository for crash dumps"),
                field("other_config", .stringMap, .readWrite, doc: "Additional configuration"),
                field("ha_enabled", .bool, default: .bool(false), doc: "Whether high availability is enabled"),
                field("ha_configuration", .stringMap, default: .emptyMap, doc: "The configuration HA was enabled with"),
                field("ha_statefiles", .stringSet, default: .emptySet, doc: "HA statefile VDIs in use"),
                field(
                    "ha_host_failures_to_tolerate", .int, default: .int(0),
                    doc: "Number of host failures HA should tolerate"),
                field(
                    "ha_plan_exists_for", .int, default: .int(0),
                    doc: "Number of host failures the current HA plan can handle"),
                field(
                    "ha_allow_overcommit", .bool, .readWrite, default: .bool(false),
                    doc: "Whether operations that would overcommit the HA plan are allowed"),
                field(
                    "ha_overcommitted", .bool, default: .bool(false),
                    doc: "True when the pool cannot tolerate the configured number of failures"),
                field(
                    "blobs", .map(.string, .ref("blob")), default: .emptyMap,
                    doc: "Binary blobs attached to the pool"),
                field("tags", .stringSet, .readWrite, default: .emptySet, doc: "User-defined tags"),
                field("gui_config", .stringMap, .readWrite, default: .emptyMap, doc: "Settings stored by GUI clients"),
                field(
                    "health_check_config", .stringMap, .readWrite, default: .emptyMap,
                    doc: "Health-check service configuration"),
                field("wlb_url", .string, default: .string(""), doc: "URL of the workload balancing server"),
                field(
                    "wlb_username", .string, default: .string(""),
                    doc: "User name for the workload balancing server"),
                field(
                    "wlb_enabled", .bool, .readWrite, default: .bool(false),
                    doc: "Whether workload balancing is enabled"),
                field(
                    "wlb_verify_cert", .bool, .readWrite, default: .bool(false), lifecycle: .deprecated,
                    doc: "Whether the workload balancing server certificate is verified"),
                field("redo_log_enabled", .bool, default: .bool(false), doc: "Whether the redo log is enabled"),
                field("redo_log_vdi", .ref("VDI"), default: .nullRef, doc: "The VDI holding the redo log"),
                field(
                    "vswitch_controller", .string, default: .string(""), lifecycle: .deprecated,
                    doc: "Address of the vswitch controller"),
                field(
                    "restrictions", .stringMap, default: .emptyMap,
                    doc: "Licensing restrictions in force in the pool"),
                field("metadata_VDIs", .set(.ref("VDI")), doc: "VDIs holding pool metadata"),
                field("ha_cluster_stack", .string, default: .string(""), doc: "The HA cluster stack in use"),
                field(
                    "allowed_operations", .set(.enumeration("pool_allowed_operations")), default: .emptySet,
                    doc: "Operations currently allowed on the pool"),
                field(
                    "current_operations", .map(.string, .enumeration("pool_allowed_operations")), default: .emptyMap,
                    doc: "Operations in progress, keyed by task reference"),
                field(
                    "guest_agent_config", .stringMap, default: .emptyMap,
                    doc: "Configuration pushed to guest agents"),
                field("cpu_info", .stringMap, default: .emptyMap, doc: "Common CPU features of the pool's hosts"),
                field(
                    "policy_no_vendor_device", .bool, .readWrite, default: .bool(false),
                    doc: "Whether new VMs get no vendor device by default"),
                field(
                    "live_patching_disabled", .bool, .readWrite, default: .bool(false),
                    doc: "Whether live patching is disabled"),
                field(
                    "igmp_snooping_enabled", .bool, default: .bool(false),
                    doc: "Whether IGMP snooping is enabled"),
                field(
                    "uefi_certificates", .string, .staticReadOnly, default: .string(""),
                    doc: "The UEFI certificates used for Secure Boot"),
                field(
                    "custom_uefi_certificates", .string, .staticReadOnly, default: .string(""), lifecycle: .prototyped,
                    doc: "Custom UEFI certificates used for Secure Boot"),
                field(
                    "is_psr_pending", .bool, .readWrite, default: .bool(false),
                    doc: "Whether a pool secret rotation is pending"),
                field(
                    "tls_verification_enabled", .bool, default: .bool(false),
                    doc: "Whether TLS certificates are verified between hosts"),
                field(
                    "repositories", .set(.ref("Repository")), default: .emptySet,
                    doc: "Update repositories enabled in the pool"),
                field(
                    "client_certificate_auth_enabled", .bool, default: .bool(false),
                    doc: "Whether clients may authenticate with TLS certificates"),
                field(
                    "client_certificate_auth_name", .string, default: .string(""),
                    doc: "The name expected in client certificates"),
                field(
                    "repository_proxy_url", .string, default: .string(""),
                    doc: "Proxy URL used to reach update repositories"),
                field(
                    "repository_proxy_username", .string, default: .string(""),
                    doc: "User name for the repository proxy"),
                field(
                    "repository_proxy_password", .ref("secret"), default: .nullRef,
                    doc: "Password for the repository proxy"),
                field(
                    "migration_compression", .bool, .readWrite, default: .bool(false), lifecycle: .prototyped,
                    doc: "Whether migration streams are compressed by default"),
                field(
                    "coordinator_bias", .bool, .readWrite, default: .bool(true),
                    doc: "Whether fewer VMs are placed on the coordinator"),
                field(
                    "local_auth_max_threads", .int, .staticReadOnly, default: .int(8), lifecycle: .prototyped,
                    doc: "Maximum concurrent local authentications"),
                field(
                    "ext_auth_max_threads", .int, .staticReadOnly, default: .int(1), lifecycle: .prototyped,
                    doc: "Maximum concurrent external authentications"),
                field(
                    "telemetry_uuid", .ref("secret"), default: .nullRef, lifecycle: .prototyped,
                    doc: "Identifier used for telemetry collection"),
                field(
                    "telemetry_frequency", .enumeration("telemetry_frequency"), default: .enumeration("weekly"),
                    lifecycle: .prototyped, doc: "How often telemetry is collected"),
                field(
                    "telemetry_next_collection", .datetime, default: .epoch, lifecycle: .prototyped,
                    doc: "When telemetry is next collected"),
                field(
                    "last_update_sync", .datetime, default: .epoch, lifecycle: .prototyped,
                    doc: "When updates were last synchronised"),
                field(
                    "update_sync_frequency", .enumeration("update_sync_frequency"), default: .enumeration("weekly"),
                    lifecycle: .prototyped, doc: "How often updates are synchronised automatically"),
                field(
                    "update_sync_day", .int, default: .int(0), lifecycle: .prototyped,
                    doc: "Day (of week or month) on which updates are synchronised"),
                field(
                    "update_sync_enabled", .bool, default: .bool(false), lifecycle: .prototyped,
                    doc: "Whether automatic update synchronisation is enabled"),
                field(
                    "ext_auth_cache_enabled", .bool, default: .bool(true),
                    doc: "Whether external authentication results are cached"),
                field(
                    "ext_auth_cache_size", .int, default: .int(50),
                    doc: "Maximum number of cached external authentication results"),
                field(
                    "ext_auth_cache_expiry", .int, default: .int(300),
                    doc: "Lifetime of cached external authentication results, in seconds"),
                field("recommendations", .stringMap, default: .emptyMap, doc: "Recommended settings for the pool"),
                field("license_server", .stringMap, .readWrite, default: .emptyMap, doc: "The pool's licence server"),
                field(
                    "ha_reboot_vm_on_internal_shutdown", .bool, default: .bool(true),
                    doc: "Whether HA-protected VMs shut down from inside the guest are restarted"),
                field(
                    "limit_console_sessions", .bool, default: .bool(false),
                    doc: "Whether each VM console accepts only one session at a time"),
                field(
                    "vm_console_idle_timeout", .int, default: .int(0),
                    doc: "Idle timeout for VM console sessions, in seconds (0 = none)"),
                field(
                    "auto_update_vm_secureboot_certificates", .bool, default: .bool(false),
                    doc: "Whether VM Secure Boot certificates are updated automatically"),
            ],
            messages: [
                message(
                    "apply_edition",
                    [param("self", .ref("pool"), doc: "The pool"), param("edition", .string, doc: "The edition")],
                    doc: "Give every host of the pool the edition.", errors: [.invalidEdition]),
                message(
                    "get_license_state", [param("self", .ref("pool"), doc: "The pool")], result: .stringMap,
                    doc: "The pool's edition (its hosts' lowest) and expiry (their earliest).", role: .readOnly),
                message(
                    "set_wlb_enabled",
                    [param("self", .ref("pool"), doc: "The pool"), param("value", .bool, doc: "Whether to use WLB")],
                    doc: "Turn Workload Balancing's recommendations on or off (Premium Edition).",
                    errors: [.licenceRestriction, .wlbNotInitialized], replacesImplicit: true),
                message(
                    "enable_ha",
                    [
                        param("heartbeat_srs", .set(.ref("SR")), doc: "Shared SRs for the heartbeat (empty: the default SR)"),
                        param("configuration", .stringMap, doc: "HA configuration", default: .emptyMap),
                    ],
                    doc: "Turn high availability on (Premium Edition).",
                    errors: [.haIsEnabled, .applyUpdatesInProgress]),
                message("disable_ha", [], doc: "Turn high availability off.", errors: [.haNotEnabled, .applyUpdatesInProgress]),
                message(
                    "set_repositories",
                    [
                        param("self", .ref("pool"), doc: "The pool"),
                        param("value", .set(.ref("Repository")), doc: "The repositories to enable"),
                    ],
                    doc: "Enable exactly these repositories: one update repository at most, or one bundle or remote-pool one alone.",
                    errors: [.multipleUpdateRepositoriesEnabled, .repoShouldBeSingleOneEnabled, .configureRepositoriesInProgress],
                    replacesImplicit: true),
                message(
                    "add_repository",
                    [param("self", .ref("pool"), doc: "The pool"), param("value", .ref("Repository"), doc: "The repository to enable")],
                    doc: "Enable one more repository.",
                    errors: [.multipleUpdateRepositoriesEnabled, .repoShouldBeSingleOneEnabled, .configureRepositoriesInProgress],
                    replacesImplicit: true),
                message(
                    "remove_repository",
                    [param("self", .ref("pool"), doc: "The pool"), param("value", .ref("Repository"), doc: "The repository to disable")],
                    doc: "Disable a repository; its mirror is removed.", errors: [.configureRepositoriesInProgress],
                    replacesImplicit: true),
                message(
                    "sync_updates",
                    [
                        param("self", .ref("pool"), doc: "The pool"),
                        param("force", .bool, doc: "Remove the mirror first and sync everything again", default: .bool(false)),
                        param("token", .string, doc: "The CDN token (unused by this toolstack's repositories)", default: .string("")),
                        param("token_id", .string, doc: "The CDN token's id", default: .string("")),
                        param("username", .string, doc: "User name on a remote pool's coordinator", default: .string("")),
                        param("password", .string, doc: "Password on a remote pool's coordinator", default: .string("")),
                    ],
                    result: .string,
                    doc: "Mirror the enabled repositories on the coordinator; returns the hash of the update information.",
                    errors: [.noRepositoryEnabled, .multipleUpdateRepositoriesEnabled, .canNotSyncUpdates, .reposyncFailed,
                             .invalidUpdateinfoXml, .syncUpdatesInProgress],
                    secret: ["token", "password"]),
                message(
                    "configure_update_sync",
                    [
                        param("self", .ref("pool"), doc: "The pool"),
                        param("update_sync_frequency", .enumeration("update_sync_frequency"), doc: "daily or weekly"),
                        param("update_sync_day", .int, doc: "The day of a weekly sync, 0 (Sunday) to 6; ignored for daily"),
                    ],
                    doc: "Set when the scheduled sync runs.", errors: [.invalidUpdateSyncDay]),
                message(
                    "set_update_sync_enabled",
                    [param("self", .ref("pool"), doc: "The pool"), param("value", .bool, doc: "Whether the scheduled sync runs")],
                    doc: "Turn the scheduled sync on or off (only for remote repositories).",
                    errors: [.noRepositoriesConfigured, .canNotPeriodicSyncUpdates],
                    replacesImplicit: true),
                message(
                    "configure_repository_proxy",
                    [
                        param("self", .ref("pool"), doc: "The pool"), param("url", .string, doc: "The proxy's URL (http or https)"),
                        param("username", .string, doc: "User name at the proxy", default: .string("")),
                        param("password", .string, doc: "Password at the proxy, kept as a secret", default: .string("")),
                    ],
                    doc: "Reach the repositories through a proxy (user name and password both given, or neither).",
                    errors: [.invalidRepositoryProxyUrl, .invalidRepositoryProxyCredential], secret: ["password"]),
                message(
                    "disable_repository_proxy", [param("self", .ref("pool"), doc: "The pool")],
                    doc: "Reach the repositories directly again; the proxy's password is destroyed."),
                message(
                    "check_update_readiness",
                    [
                        param("self", .ref("pool"), doc: "The pool"),
                        param("requires_reboot", .bool, doc: "Whether the update will need hosts rebooted"),
                    ],
                    result: .set(.stringSet),
                    doc: "What stands in the way of updating: each error code with its arguments.", role: .readOnly),
                message(
                    "plan_rolling_operation",
                    [
                        param("self", .ref("pool"), doc: "The pool"),
                        param("kind", .enumeration("rolling_operation_kind"), doc: "upgrade, update or reboot"),
                        param(
                            "options", .stringMap,
                            doc: "max_unavailable (hosts down at once; 0 for as many as capacity allows), headroom_percent (10), "
                                + "remediation_seconds (per host), bandwidth (bytes per second of each host's migration network), "
                                + "source (upgrade: the new release), hash (update: the reviewed update hash), retries (2: further "
                                + "attempts at a failed member), on_failure (stop or skip a member that keeps failing), auto_fix "
                                + "(true: disable HA and WLB for the run and eject CDs that stop VMs moving), move_once (true: smaller "
                                + "waves rather than VMs waiting on hosts still to do, so each moves once where possible)",
                            default: .emptyMap),
                    ],
                    result: .ref("Rolling_operation"),
                    doc: "Plan a rolling operation without moving anything (a dry run): coordinator first, hosts in waves that keep "
                        + "every VM running and move each once where capacity allows, with its lower bounds and ETA. "
                        + "It replaces an earlier plan that was not started.",
                    errors: [.rollingOperationActive, .invalidValue], lifecycle: .prototyped),
                message(
                    "join",
                    joinParameters,
                    doc: "Called on a host that is a pool of its own: join the pool at master_address. The host must have "
                        + "no other hosts, no running or suspended VMs, no shared SRs and (simulated hosts) no VMs or disks of "
                        + "its own, and match the coordinator's API version, software, CPUs and edition; from then on its "
                        + "toolstack answers HOST_IS_SLAVE.",
                    errors: joinErrors,
                    secret: ["master_password"]),
                message(
                    "join_force",
                    joinParameters,
                    doc: "pool.join without the CPU check.",
                    errors: joinErrors,
                    secret: ["master_password"]),
                message(
                    "admit_host",
                    [param("description", .stringMap, doc: "The joining host and its machine, as its toolstack describes them")],
                    result: .ref("host"),
                    doc: "Called on the coordinator by a joining host's toolstack (pool.join): check that the host matches "
                        + "the coordinator, take in its machine and make its records.",
                    errors: [
                        .poolJoiningHostMustHaveSameAPIVersion, .hostsNotCompatible, .hostsNotHomogeneous,
                        .licenseHostPoolMismatch, .licenceRestriction, .haIsEnabled, .rollingOperationActive,
                        .operationNotAllowed, .invalidValue,
                    ],
                    secret: ["description"], lifecycle: .prototyped),
                message(
                    "member_ejected", [param("secret", .string, doc: "The secret the member gave when it joined")],
                    doc: "Called on an ejected member's toolstack by its coordinator: the member starts again as a pool of "
                        + "its own (its database and local storage emptied).",
                    errors: [.operationNotAllowed], async: false, session: false, secret: ["secret"], lifecycle: .prototyped),
                message(
                    "eject", [param("host", .ref("host"), doc: "The member to eject")],
                    doc: "Eject a member from the pool: its local storage is forgotten (its disks are lost), its records leave "
                        + "the database and it restarts as a pool of its own. Its VMs must be halted first.",
                    errors: [.operationNotAllowed, .haIsEnabled, .notSupportedDuringUpgrade, .rollingOperationActive]),
                message(
                    "designate_new_master", [param("host", .ref("host"), doc: "The member to become coordinator")],
                    doc: "Make a member the pool's coordinator, in an orderly way; the previous coordinator becomes a member.",
                    errors: [.haIsEnabled, .hostOffline, .notSupportedDuringUpgrade, .rollingOperationActive]),
                message(
                    "set_igmp_snooping_enabled",
                    [param("self", .ref("pool"), doc: "The pool"), param("value", .bool, doc: "Whether to snoop")],
                    doc: "Turn IGMP snooping on or off on the pool's networks (Premium Edition).",
                    errors: [.licenceRestriction]),
            ],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
