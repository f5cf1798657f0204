extension DataModel {
    /// Every enumeration referenced by a modelled field or message parameter, with its values in
    /// canonical spelling and datamodel order.
    @_optimize(none)
    static func allEnums() -> [EnumModel] {
        [
            // pool
            EnumModel(
                name: "pool_allowed_operations",
                values: [
                    "ha_enable", "ha_disable", "cluster_create", "designate_new_master", "configure_repositories",
                    "sync_updates", "get_updates", "apply_updates", "tls_verification_enable", "cert_refresh",
                    "exchange_certificates_on_join", "exchange_ca_certificates_on_join", "copy_primary_host_certs",
                    "eject",
                ]),
            EnumModel(name: "telemetry_frequency", values: ["daily", "weekly", "monthly"]),
            EnumModel(name: "update_sync_frequency", values: ["daily", "weekly"]),

            // host
            EnumModel(
                name: "host_allowed_operations",
                values: [
                    "provision", "evacuate", "shutdown", "reboot", "power_on", "vm_start", "vm_resume", "vm_migrate",
                    "apply_updates", "enable",
                ]),
            EnumModel(name: "latest_synced_updates_applied_state", values: ["yes", "no", "unknown"]),
            EnumModel(
                name: "update_guidances",
                values: [
                    "reboot_host", "reboot_host_on_livepatch_failure", "reboot_host_on_kernel_livepatch_failure",
                    "reboot_host_on_xen_livepatch_failure", "restart_toolstack", "restart_device_model", "restart_vm",
                ]),
            EnumModel(name: "host_display", values: ["enabled", "disable_on_reboot", "disabled", "enable_on_reboot"]),
            EnumModel(name: "host_numa_affinity_policy", values: ["any", "best_effort", "default_policy"]),
            EnumModel(name: "host_ntp_mode", values: ["DHCP", "Custom", "Factory", "Disabled"]),

            // VM
            EnumModel(name: "vm_power_state", values: ["Halted", "Paused", "Running", "Suspended"]),
            EnumModel(name: "on_softreboot_behavior", values: ["soft_reboot", "destroy", "restart", "preserve"]),
            EnumModel(name: "on_normal_exit", values: ["destroy", "restart"]),
            EnumModel(
                name: "vm_operations",
                values: [
                    "snapshot", "clone", "copy", "create_template", "revert", "checkpoint", "snapshot_with_quiesce",
                    "provision", "start", "start_on", "pause", "unpause", "clean_shutdown", "clean_reboot",
                    "hard_shutdown", "power_state_reset", "hard_reboot", "suspend", "csvm", "resume", "resume_on",
                    "pool_migrate", "migrate_send", "get_boot_record", "send_sysrq", "send_trigger", "query_services",
                    "shutdown", "call_plugin", "changing_memory_live", "awaiting_memory_live",
                    "changing_dynamic_range", "changing_static_range", "changing_memory_limits",
                    "changing_shadow_memory", "changing_shadow_memory_live", "changing_VCPUs", "changing_VCPUs_live",
                    "changing_NVRAM", "assert_operation_valid", "data_source_op", "update_allowed_operations",
                    "make_into_template", "import", "export", "metadata_export", "reverting", "destroy",
                    "create_vtpm",
                ]),
            EnumModel(
                name: "on_crash_behaviour",
                values: [
                    "destroy", "coredump_and_destroy", "restart", "coredump_and_restart", "preserve", "rename_restart",
                ]),
            EnumModel(name: "domain_type", values: ["hvm", "pv", "pv_in_pvh", "pvh", "unspecified"]),
            EnumModel(name: "vm_secureboot_certificates_state", values: ["ok", "update_available", "update_on_boot"]),
            EnumModel(name: "placement_policy", values: ["anti_affinity", "normal"]),

            // VM_guest_metrics
            EnumModel(name: "tristate_type", values: ["yes", "no", "unspecified"]),

            // VBD
            EnumModel(
                name: "vbd_operations",
                values: ["attach", "eject", "insert", "plug", "unplug", "unplug_force", "pause", "unpause"]),
            EnumModel(name: "vbd_type", values: ["CD", "Disk", "Floppy"]),
            EnumModel(name: "vbd_mode", values: ["RO", "RW"]),

            // VDI
            EnumModel(
                name: "vdi_operations",
                values: [
                    "clone", "copy", "resize", "resize_online", "snapshot", "mirror", "destroy", "forget", "update",
                    "force_unlock", "generate_config", "enable_cbt", "disable_cbt", "data_destroy",
                    "list_changed_blocks", "set_on_boot", "blocked",
                ]),
            EnumModel(
                name: "vdi_type",
                values: [
                    "system", "user", "ephemeral", "suspend", "crashdump", "ha_statefile", "metadata", "redo_log",
                    "rrd", "pvs_cache", "cbt_metadata",
                ]),
            EnumModel(name: "on_boot", values: ["reset", "persist"]),

            // VIF
            EnumModel(name: "vif_operations", values: ["attach", "plug", "unplug"]),
            EnumModel(name: "vif_locking_mode", values: ["network_default", "locked", "unlocked", "disabled"]),
            EnumModel(name: "vif_ipv4_configuration_mode", values: ["None", "Static"]),
            EnumModel(name: "vif_ipv6_configuration_mode", values: ["None", "Static"]),

            // network
            EnumModel(name: "network_operations", values: ["attaching"]),
            EnumModel(name: "network_default_locking_mode", values: ["unlocked", "disabled"]),
            EnumModel(name: "network_purpose", values: ["nbd", "insecure_nbd"]),

            // PIF
            EnumModel(name: "pif_igmp_status", values: ["enabled", "disabled", "unknown"]),
            EnumModel(name: "ip_configuration_mode", values: ["None", "DHCP", "Static"]),
            EnumModel(name: "ipv6_configuration_mode", values: ["None", "DHCP", "Static", "Autoconf"]),
            EnumModel(name: "primary_address_type", values: ["IPv4", "IPv6"]),

            // SR
            EnumModel(
                name: "storage_operations",
                values: [
                    "scan", "destroy", "forget", "plug", "unplug", "update", "vdi_create", "vdi_introduce",
                    "vdi_destroy", "vdi_resize", "vdi_clone", "vdi_snapshot", "vdi_mirror", "vdi_enable_cbt",
                    "vdi_disable_cbt", "vdi_data_destroy", "vdi_list_changed_blocks", "vdi_set_on_boot", "pbd_create",
                    "pbd_destroy",
                ]),

            // task
            EnumModel(name: "task_allowed_operations", values: ["cancel", "destroy"]),
            EnumModel(name: "task_status_type", values: ["pending", "success", "failure", "cancelling", "cancelled"]),

            // event
            EnumModel(name: "event_operation", values: ["add", "del", "mod"]),

            // message
            EnumModel(
                name: "cls",
                values: ["VM", "Host", "SR", "Pool", "VMPP", "VMSS", "PVS_proxy", "VDI", "Certificate"]),

            // Repository
            EnumModel(name: "origin", values: ["remote", "bundle", "remote_pool"]),
            // Rolling_operation
            EnumModel(name: "rolling_operation_kind", values: ["upgrade", "update", "reboot"]),
            EnumModel(name: "rolling_operation_status", values: ["planned", "running", "paused", "done", "failed", "aborted"]),
        ]
    }
}
