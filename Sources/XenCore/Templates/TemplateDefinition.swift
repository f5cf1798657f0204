/// One built-in template, as XenServer 8 ships it for a guest operating system: how it boots,
/// its platform flags, its default and maximum memory and VCPUs, the devices the guest supports,
/// the disks a VM installed from it gets, and how its installer is reached.
struct TemplateDefinition: Sendable {
    /// How the guest boots.
    enum Boot: Sendable, Hashable {
        /// HVM with BIOS firmware, booting from the given device order (`"dc"`: CD, then disk).
        case bios(order: String)
        /// HVM with UEFI firmware (and, with `secureBoot`, Secure Boot).
        case uefi(order: String, secureBoot: Bool)
        /// Paravirtualised, started by the given bootloader (`pygrub`, `eliloader`).
        case pv(bootloader: String)
    }

    /// A disk the template provisions (`other_config:disks`).
    struct Disk: Sendable, Hashable {
        var device: Int
        var size: Int64
        var bootable: Bool
    }

    /// `name_label`, by which clients look the template up.
    var name: String
    var description: String
    var boot: Boot
    /// Platform flags (`viridian`, `acpi`, `apic`, `pae`, `nx`, `device-model`, `secureboot`…).
    var platform: [String: String]
    /// The memory a VM installed from it starts with (static min is the guest's minimum).
    var memoryStaticMin: Int64
    var memoryDefault: Int64
    /// The most memory the guest supports (the `memory-static-max` recommendation).
    var memoryMax: Int64
    var vcpusDefault: Int64
    /// The most VCPUs the guest supports (the `vcpus-max` recommendation).
    var vcpusMax: Int64
    /// How many network interfaces and disks the guest supports (`number-of-vifs`, `number-of-vbds`).
    var maxVIFs: Int
    var maxVBDs: Int
    var disks: [Disk]
    /// How the installer is reached: `cdrom`, and for network installs `http`, `ftp`, `nfs`.
    var installMethods: [String]
    /// `other_config:install-distro` for network installs (`debianlike`, `rhlike`, `sleslike`).
    var installDistro: String?
    /// The guest's family, for the defaults only Windows has (`windows`, `linux`, `other`).
    var family: String
}
