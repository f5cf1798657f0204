public import XenAPI

/// A template's `other_config:disks`: `<provision><disk device="0" size="10737418240" sr=""
/// bootable="true" type="system"/>…</provision>`, read as xapi's template provisioner reads it.
public struct ProvisionDisks: Sendable, Equatable {
    public struct Disk: Sendable, Equatable {
        public var device: String
        public var size: Int64
        /// The SR's uuid (`""` until `xe vm-install` or a client fills it in).
        public var sr: String
        public var bootable: Bool
        public var type: VDIType
    }

    public var disks: [Disk]

    /// Fails with INTERNAL_ERROR, as xapi's parser does, on anything but a `provision` element
    /// of `disk` elements with every attribute.
    public init(parsing text: String) throws(XenAPIError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("<provision") else { throw Self.failure(text) }
        var disks: [Disk] = []
        for element in trimmed.split(separator: "<").dropFirst() {
            let tag = element.prefix { $0 != ">" }
            if tag.hasPrefix("provision") || tag.hasPrefix("/provision") { continue }
            guard tag.hasPrefix("disk "), let device = xmlAttribute("device", in: tag),
                let size = xmlAttribute("size", in: tag).flatMap({ Int64($0) }), let sr = xmlAttribute("sr", in: tag),
                let bootable = xmlAttribute("bootable", in: tag)
            else { throw Self.failure(text) }
            let type = xmlAttribute("type", in: tag).flatMap(VDIType.init(rawValue:)) ?? .system
            disks.append(Disk(device: device, size: size, sr: sr, bootable: bootable == "true", type: type))
        }
        self.disks = disks
    }

    init(disks: [Disk]) { self.disks = disks }

    /// The XML text.
    public var text: String {
        "<provision>" + disks.map { disk in
            "<disk device=\"\(disk.device)\" size=\"\(disk.size)\" sr=\"\(disk.sr)\" bootable=\"\(disk.bootable)\" type=\"\(disk.type.rawValue)\"/>"
        }.joined() + "</provision>"
    }

    private static func failure(_ text: String) -> XenAPIError {
        XenAPIError.internalError(message: "cannot read the template's disks: \(text)")
    }
}
