import Foundation
import XenAPI
import XenDB
import XenStorage

/// The built-in "XenServer Tools" ISO library every XenServer pool has: a shared `iso` SR
/// (`is_tools_sr`) plugged on every host, holding `guest-tools.iso` (`is_tools_iso`), the disc
/// admins insert into a VM's CD drive to install the VM tools.
enum ToolsLibrary {
    static let isoName = "guest-tools.iso"

    /// Makes the SR and its PBDs if they are missing, writes the ISO if it is missing, and scans.
    static func run(_ services: CoreServices) async throws(XenAPIError) {
        let snapshot = services.database.snapshot
        let existing = snapshot.objects(SR.self).first { $0.isToolsSR }?.ref
        let sr = existing ?? services.makeRef(SR.self)
        let srUUID = existing.flatMap { snapshot[$0]?.uuid } ?? services.environment.makeUUID()
        let hosts = snapshot.refs(Host.self).filter { host in
            !(existing.flatMap { snapshot[$0]?.pbds } ?? []).contains { snapshot[$0]?.host == host }
        }
        let pbds = hosts.map { ($0, services.makeRef(PBD.self), services.environment.makeUUID()) }
        if existing == nil || !pbds.isEmpty {
            try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                if !tx.snapshot.contains(sr) {
                    try tx.insert(sr) { record in
                        record.uuid = srUUID
                        record.nameLabel = "XenServer Tools"
                        record.nameDescription = "XenServer Tools ISOs"
                        record.type = "iso"
                        record.contentType = "iso"
                        record.shared = true
                        record.isToolsSR = true
                        record.otherConfig = [
                            "xensource_internal": "true", "xenserver_tools_sr": "true", "i18n-key": "xenserver-tools",
                            "i18n-original-value-name_label": "XenServer Tools",
                            "i18n-original-value-name_description": "XenServer Tools ISOs",
                        ]
                    }
                }
                for (host, pbd, uuid) in pbds {
                    try tx.insert(pbd) { record in
                        record.uuid = uuid
                        record.host = host
                        record.sr = sr
                        record.deviceConfig = ["location": "/opt/xensource/packages/iso", "legacy_mode": "true"]
                        record.currentlyAttached = true
                    }
                }
            }
        }
        let folder = services.toolsFolder
        let file = folder + "/" + isoName
        if !FileManager.default.fileExists(atPath: file) {
            let image = ISOImage.make(
                volume: "XenServer Tools", files: [("README.TXT", Array(readme(services).utf8))], date: [2025, 1, 1, 0, 0, 0])
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try Data(image).write(to: URL(fileURLWithPath: file), options: .atomic)
            } catch {
                throw XenAPIError.storageBackend(1200, "cannot write \(file): \(error)")
            }
        }
        try await SRScan.run(sr, services: services)
    }

    private static func readme(_ services: CoreServices) -> String {
        """
        XenServer VM Tools for \(services.configuration.productVersion), as simulated by swift-xapi.
        Insert this disc into a VM's CD drive (xe vm-cd-insert cd-name=guest-tools.iso) to install
        the tools that report the guest's addresses and let it shut down, suspend and migrate cleanly.

        """
    }
}

extension CoreServices {
    /// Where the tools library's ISOs are.
    var toolsFolder: String { storageRoot + "/tools" }
}
