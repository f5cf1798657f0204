/// The built-in template catalogue.
enum TemplateCatalogue {
    /// The built-in templates, in the shape XenServer 8 ships them (from its guest-templates data:
    /// the Windows, Linux and "other" packages; the legacy PV templates are not part of it).
    ///
    /// What the data gives every template family:
    /// - Windows: UEFI booting `cd` with `secureboot=auto`, the Viridian enlightenments,
    ///   2 VCPUs and 2 cores per socket, one non-bootable system disk that the guest
    ///   provisions itself, and installation from CD only.
    /// - Linux: HVM booting `cdn` (CD, disk, network), either BIOS with the
    ///   `qemu-upstream-compat` device model or UEFI with `secureboot=auto`; one bootable
    ///   system disk; installation from CD or the network (`nfs`, `http`, `ftp`) but no
    ///   `install-distro`, which only the PV templates carried.
    /// - Every template: up to 64 VCPUs, 7 VIFs and 255 VBDs; its memory starts at twice the
    ///   guest's minimum (the minimum is `memory_static_min`).
    static let all: [TemplateDefinition] = [
        windows("Windows 10 (64-bit)", minMemory: 2 * gib, disk: 32 * gib,
                platform: ["acpi_laptop_slate": "1"]),
        windows("Windows 11", minMemory: 4 * gib, disk: 64 * gib,
                platform: ["acpi_laptop_slate": "1", "vtpm": "true"]),
        windows("Windows Server 2016 (64-bit)", minMemory: 1 * gib, disk: 32 * gib),
        windows("Windows Server 2019 (64-bit)", minMemory: 1 * gib, disk: 32 * gib),
        windows("Windows Server 2022 (64-bit)", minMemory: 1 * gib, disk: 32 * gib),
        windows("Windows Server 2025", minMemory: 2 * gib, disk: 64 * gib),

        linux("AlmaLinux 8", uefi: true, minMemory: 2 * gib, disk: 10 * gib),
        linux("AlmaLinux 9", uefi: true, minMemory: 2 * gib, disk: 10 * gib),
        linux("AlmaLinux 10", uefi: true, minMemory: 2 * gib, disk: 10 * gib),
        linux("CentOS 7 (deprecated)", uefi: false, minMemory: 2 * gib, disk: 10 * gib),
        linux("CentOS Stream 9", uefi: false, minMemory: 2 * gib, disk: 10 * gib),
        linux("CentOS Stream 10", uefi: true, minMemory: 2 * gib, disk: 10 * gib),
        linux("Debian Buster 10 (deprecated)", uefi: false, minMemory: 512 * mib, disk: 10 * gib),
        linux("Debian Bullseye 11", uefi: false, minMemory: 512 * mib, disk: 10 * gib),
        linux("Debian Bookworm 12", uefi: true, minMemory: 1 * gib, disk: 10 * gib),
        linux("Gooroom Platform 2.0", uefi: false, minMemory: 1 * gib, disk: 10 * gib),
        linux("Oracle Linux 7 (deprecated)", uefi: false, minMemory: 2 * gib, disk: 10 * gib),
        linux("Oracle Linux 8", uefi: true, minMemory: 2 * gib, disk: 10 * gib, vcpus: 2),
        linux("Red Hat Enterprise Linux 7 (deprecated)", uefi: false, minMemory: 2 * gib, disk: 10 * gib),
        linux("Red Hat Enterprise Linux 8", uefi: true, minMemory: 2 * gib, disk: 10 * gib),
        linux("Red Hat Enterprise Linux 9", uefi: true, minMemory: 2 * gib, disk: 10 * gib),
        linux("Red Hat Enterprise Linux 10", uefi: true, minMemory: 2 * gib, disk: 10 * gib),
        linux("Rocky Linux 8", uefi: true, minMemory: 2 * gib, disk: 10 * gib),
        linux("Rocky Linux 9", uefi: true, minMemory: 2 * gib, disk: 15 * gib),
        linux("Scientific Linux 7 (deprecated)", uefi: false, minMemory: 2 * gib, disk: 10 * gib),
        linux("SUSE Linux Enterprise 15 (64-bit)", uefi: true, minMemory: 1 * gib, disk: 8 * gib),
        linux("SUSE Linux Enterprise Server 12 SP5 (64-bit)", uefi: false, minMemory: 1 * gib, disk: 8 * gib,
              description: slesDescription),
        linux("Ubuntu Focal Fossa 20.04 (deprecated)", uefi: true, minMemory: 512 * mib, disk: 10 * gib),
        linux("Ubuntu Jammy Jellyfish 22.04", uefi: true, minMemory: 1 * gib, disk: 10 * gib),
        linux("Ubuntu Noble Numbat 24.04", uefi: true, minMemory: 1 * gib, disk: 10 * gib),

        TemplateDefinition(
            name: "Other install media",
            description: "Template which allows VM installation from install media",
            boot: .bios(order: "cd"),
            platform: commonPlatform.merging(["viridian": "true", "secureboot": "false"]) { _, new in new },
            memoryStaticMin: 128 * mib, memoryDefault: 256 * mib, memoryMax: 128 * gib,
            vcpusDefault: 1, vcpusMax: 64,
            maxVIFs: 7, maxVBDs: 255,
            disks: [],
            installMethods: ["cdrom"],
            installDistro: nil,
            family: "other"),
    ]

    private static let mib: Int64 = 1 << 20
    private static let gib: Int64 = 1 << 30

    /// The flags every template gets unless its data says otherwise.
    private static let commonPlatform: [String: String] = [
        "acpi": "1", "apic": "true", "pae": "true", "nx": "true", "hpet": "true",
    ]

    private static let linuxDescription =
        "To use this template from the CLI, install your VM using vm-install, then set "
        + "other-config-install-repository to the path to your network repository, "
        + "e.g. http://<server>/<path> or nfs:server:/<path>"

    private static let slesDescription =
        "Template that allows VM installation from SLES-based distros. To use this template "
        + "from the CLI, install your VM using vm-install, then watch the virtual display in "
        + "XenCenter, and fill in the prompts."

    /// A Windows template: UEFI (Secure Boot `auto`), Viridian, 2 VCPUs as 2 cores of one socket.
    private static func windows(
        _ name: String, minMemory: Int64, disk: Int64, platform extra: [String: String] = [:]
    ) -> TemplateDefinition {
        let platform = commonPlatform.merging([
            "viridian": "true",
            "viridian_time_ref_count": "true",
            "viridian_reference_tsc": "true",
            "viridian_apic_assist": "true",
            "viridian_crash_ctl": "true",
            "viridian_stimer": "true",
            "cores-per-socket": "2",
            "device_id": "0002",
            "vga": "std",
            "videoram": "8",
            "secureboot": "auto",
        ]) { _, new in new }
        return TemplateDefinition(
            name: name,
            description: "Clones of this template will automatically provision their storage when "
                + "first booted and then reconfigure themselves with the optimal settings for \(name).",
            boot: .uefi(order: "cd", secureBoot: true),
            platform: platform.merging(extra) { _, new in new },
            memoryStaticMin: minMemory, memoryDefault: 2 * minMemory, memoryMax: 1536 * gib,
            vcpusDefault: 2, vcpusMax: 64,
            maxVIFs: 7, maxVBDs: 255,
            disks: [.init(device: 0, size: disk, bootable: false)],
            installMethods: ["cdrom"],
            installDistro: nil,
            family: "windows")
    }

    /// A Linux HVM template: BIOS with the `qemu-upstream-compat` device model, or UEFI
    /// (Secure Boot `auto`, the device model left to the toolstack).
    private static func linux(
        _ name: String, uefi: Bool, minMemory: Int64, disk: Int64, vcpus: Int64 = 1,
        description: String = linuxDescription
    ) -> TemplateDefinition {
        let firmware: [String: String] = uefi
            ? ["secureboot": "auto"]
            : ["secureboot": "false", "device-model": "qemu-upstream-compat"]
        let platform = commonPlatform
            .merging(["viridian": "false", "device_id": "0001", "vga": "std", "videoram": "8"]) { _, new in new }
            .merging(firmware) { _, new in new }
        return TemplateDefinition(
            name: name,
            description: description,
            boot: uefi ? .uefi(order: "cdn", secureBoot: true) : .bios(order: "cdn"),
            platform: platform,
            memoryStaticMin: minMemory, memoryDefault: 2 * minMemory, memoryMax: 1536 * gib,
            vcpusDefault: vcpus, vcpusMax: 64,
            maxVIFs: 7, maxVBDs: 255,
            disks: [.init(device: 0, size: disk, bootable: true)],
            installMethods: ["cdrom", "nfs", "http", "ftp"],
            installDistro: nil,
            family: "linux")
    }
}
