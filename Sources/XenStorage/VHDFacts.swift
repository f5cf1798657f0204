/// What an SR scan learns of one VDI's file, as `vhd-util scan` reports it: the VDI's uuid
/// (from the file name), its sizes, whether it is hidden and its parent's uuid.
public struct VHDFacts: Sendable, Hashable {
    public var uuid: String
    /// The size the guest sees, in bytes.
    public var virtualSize: Int64
    /// The file's size, in bytes: the VDI's `physical_utilisation`.
    public var physicalSize: Int64
    public var hidden: Bool
    /// The parent VDI's uuid (its file name without `.vhd`), for a differencing disk.
    public var parent: String?
    /// How many 2 MiB blocks the file itself holds.
    public var allocatedBlocks: Int

    init(uuid: String, image: VHDImage) {
        self.uuid = uuid
        virtualSize = image.virtualSize
        physicalSize = image.fileSize
        hidden = image.footer.hidden != 0
        allocatedBlocks = image.bat.count { $0 != VHDFormat.unallocated }
        if image.footer.diskType == .differencing, let name = image.header?.parentName, name.hasSuffix(".vhd") {
            parent = String(name.dropLast(4))
        } else {
            parent = nil
        }
    }
}
