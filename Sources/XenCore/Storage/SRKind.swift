import XenAPI
import XenBackend
import XenDB
import XenStorage

/// How an SR of a given type keeps its disks here.
enum SRKind: Sendable, Equatable {
    /// One VHD file per VDI in a folder, as SM's file-based drivers keep them: `ext` (a host's
    /// local storage), `file` (any folder), `nfs` and `smb` (a share every host mounts).
    case vhdFolder
    /// A folder of `.iso` and `.img` files, one read-only VDI each.
    case isoLibrary

    /// The types `SR.create` accepts, as `SR.get_supported_types` lists them.
    static let supportedTypes = ["ext", "file", "iso", "nfs", "smb"]

    init?(type: String) {
        switch type {
        case "ext", "file", "nfs", "smb": self = .vhdFolder
        case "iso": self = .isoLibrary
        default: return nil
        }
    }
}

extension CoreServices {
    /// Where the SR's files are: a host's local `ext` SR in the storage folder under its uuid; a
    /// `file` or local `iso` SR at its `device_config:location`; an `nfs`, `smb` or remote `iso`
    /// share at its mount point under the storage folder. `nil` for an SR without files here.
    func srFolder(of sr: Ref<SR>, in snapshot: Snapshot) -> String? {
        guard let record = snapshot[sr], let kind = SRKind(type: record.type) else { return nil }
        if record.isToolsSR { return toolsFolder }
        let config = record.pbds.lazy.compactMap { snapshot[$0]?.deviceConfig }.first ?? [:]
        switch (record.type, kind) {
        case ("ext", _): return storageRoot + "/" + record.uuid
        case ("file", _): return config["location"]
        case (_, .isoLibrary) where config["location"]?.hasPrefix("/") == true:
            return config["location"]! + (config["iso_path"].map { "/" + $0 } ?? "")
        case (_, .isoLibrary): return mountPoint(of: record.uuid) + (config["iso_path"].map { "/" + $0 } ?? "")
        default:
            // SM keeps an NFS or SMB SR's files in a folder named by its uuid on the share.
            return mountPoint(of: record.uuid) + "/" + record.uuid
        }
    }

    /// What a hypervisor puts in a CD drive for the disc `vdi`: its file in its library, or its
    /// uuid when its library has no files here.
    func mediaFile(of vdi: Ref<VDI>, in snapshot: Snapshot) -> String? {
        guard let record = snapshot[vdi] else { return nil }
        guard let folder = srFolder(of: record.sr, in: snapshot), !record.location.isEmpty else { return record.uuid }
        return folder + "/" + record.location
    }

    /// The file a hypervisor opens for the disk `vdi`: its VHD in a VHD SR; `nil` where the SR
    /// keeps no file for it here.
    func diskImage(of vdi: Ref<VDI>, readOnly: Bool, in snapshot: Snapshot) -> DiskImage? {
        guard let record = snapshot[vdi], let folder = vhdFolder(of: record.sr, in: snapshot), !record.location.isEmpty,
            folder.exists(record.location)
        else { return nil }
        return DiskImage(path: folder.file(record.location), format: .vhd, readOnly: readOnly || record.readOnly, vdi: record.uuid)
    }

    /// Where a share SR is mounted.
    func mountPoint(of srUUID: String) -> String { storageRoot + "/mounts/" + srUUID }

    /// The SR's VHD folder, for SRs that keep VHD files.
    func vhdFolder(of sr: Ref<SR>, in snapshot: Snapshot) -> VHDFolder? {
        guard let type = snapshot[sr]?.type, SRKind(type: type) == .vhdFolder, let path = srFolder(of: sr, in: snapshot) else {
            return nil
        }
        return VHDFolder(path: path)
    }

    /// The host that carries out the SR's operations, as xapi forwards them to a host with the
    /// SR plugged: the coordinator if it is one, else the first such host that is live.
    /// `SR_HAS_NO_PBDS` when no host has it plugged, `HOST_OFFLINE` when none of those is up
    /// (a local SR's host is down).
    func storageHost(of sr: Ref<SR>, in snapshot: Snapshot) throws(XenAPIError) -> Ref<Host> {
        let record = try snapshot.require(sr)
        let plugged = record.pbds.compactMap { snapshot[$0] }.filter(\.currentlyAttached).map(\.host)
        guard let first = plugged.first else { throw XenAPIError.srHasNoPbds(sr: sr.rawValue) }
        let coordinator = localHost(snapshot)
        let live = plugged.filter { snapshot[snapshot[$0]?.metrics ?? .null]?.live == true }
        if live.contains(coordinator) { return coordinator }
        guard let host = live.first else { throw XenAPIError.hostOffline(host: first.rawValue) }
        return host
    }
}
