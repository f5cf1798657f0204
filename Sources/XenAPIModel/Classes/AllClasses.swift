extension DataModel {
    /// Every class swift-xapi serves, in a stable order.
    static func allClasses() -> [ClassModel] {
        [
            sessionClass(),
            poolClass(),
            hostClass(),
            hostMetricsClass(),
            hostCPUClass(),
            vmClass(),
            vmMetricsClass(),
            vmGuestMetricsClass(),
            vifClass(),
            vbdClass(),
            vdiClass(),
            srClass(),
            pbdClass(),
            networkClass(),
            pifClass(),
            vlanClass(),
            taskClass(),
            eventClass(),
            messageClass(),
            blobClass(),
            repositoryClass(),
            secretClass(),
            rollingOperationClass(),
            vmGroupClass(),
        ]
    }

    /// Classes that some modelled field refers to (directly or inside a set or map) but that are not
    /// served yet; references to them are always `OpaqueRef:NULL` and sets of them are empty.
    static func unmodelledClassNames() -> Set<String> {
        [
            "Bond",
            "Certificate",
            "DR_task",
            "Feature",
            "PCI",
            "PGPU",
            "PIF_metrics",
            "PUSB",
            "VBD_metrics",
            "VGPU",
            "VIF_metrics",
            "VMPP",
            "VMSS",
            "VM_appliance",
            "VTPM",
            "VUSB",
            "console",
            "crashdump",
            "host_crashdump",
            "host_patch",
            "network_sriov",
            "pool_update",
            "subject",
            "tunnel",
            "user",
        ]
    }
}
