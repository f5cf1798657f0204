import XenAPI
import XenDB

/// Puts the built-in templates into the pool, as a XenServer host's first boot does: each one
/// the database lacks (by name, among the default templates) is made, halted, with
/// `is_default_template` and `other_config:default_template` set, its disks to provision in
/// `other_config:disks` (with `sr=""`, for the installer to fill in) and its limits in
/// `recommendations`.
enum TemplateInstaller {
    static func run(_ services: CoreServices, catalogue: [TemplateDefinition] = TemplateCatalogue.all) async throws(XenAPIError) {
        let present = Set(services.database.snapshot.objects(VM.self).filter(\.isDefaultTemplate).map(\.nameLabel))
        let missing = catalogue.filter { !present.contains($0.name) }
        guard !missing.isEmpty else { return }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            for definition in missing {
                let ref = services.makeRef(VM.self)
                var record = record(of: definition)
                record.uuid = services.environment.makeUUID()
                try tx.insert(ref) { $0 = record }
                try CreationRules.vm(&tx, ref, services)
            }
        }
    }

    /// The template's VM record (without its uuid).
    static func record(of definition: TemplateDefinition) -> VM {
        var vm = VM()
        vm.nameLabel = definition.name
        vm.nameDescription = definition.description
        vm.isATemplate = true
        vm.isDefaultTemplate = true
        vm.userVersion = 1
        vm.powerState = .halted
        vm.domid = -1
        vm.memoryStaticMin = definition.memoryStaticMin
        vm.memoryDynamicMin = definition.memoryDefault
        vm.memoryDynamicMax = definition.memoryDefault
        vm.memoryStaticMax = definition.memoryDefault
        vm.vcpusMax = definition.vcpusDefault
        vm.vcpusAtStartup = definition.vcpusDefault
        vm.actionsAfterShutdown = .destroy
        vm.actionsAfterReboot = .restart
        vm.actionsAfterCrash = .restart
        vm.platform = definition.platform
        switch definition.boot {
        case .bios(let order):
            vm.hvmBootPolicy = "BIOS order"
            vm.hvmBootParams = ["order": order, "firmware": "bios"]
            vm.domainType = .hvm
        case .uefi(let order, let secureBoot):
            vm.hvmBootPolicy = "BIOS order"
            vm.hvmBootParams = ["order": order, "firmware": "uefi"]
            vm.domainType = .hvm
            if vm.platform["secureboot"] == nil { vm.platform["secureboot"] = secureBoot ? "true" : "false" }
        case .pv(let bootloader):
            vm.pvBootloader = bootloader
            vm.domainType = .pv
        }
        vm.otherConfig = [
            "default_template": "true",
            "install-methods": definition.installMethods.joined(separator: ","),
            "disks": ProvisionDisks(disks: definition.disks.map { disk in
                ProvisionDisks.Disk(device: String(disk.device), size: disk.size, sr: "", bootable: disk.bootable, type: .system)
            }).text,
        ]
        if definition.family == "linux" { vm.otherConfig["linux_template"] = "true" }
        if let distro = definition.installDistro { vm.otherConfig["install-distro"] = distro }
        vm.recommendations = "<restrictions>"
            + "<restriction field=\"memory-static-max\" max=\"\(definition.memoryMax)\"/>"
            + "<restriction field=\"vcpus-max\" max=\"\(definition.vcpusMax)\"/>"
            + "<restriction field=\"has-vendor-device\" value=\"false\"/>"
            + "<restriction max=\"\(definition.maxVBDs)\" property=\"number-of-vbds\"/>"
            + "<restriction max=\"\(definition.maxVIFs)\" property=\"number-of-vifs\"/>"
            + "</restrictions>"
        return vm
    }
}
