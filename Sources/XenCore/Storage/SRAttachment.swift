import XenAPI
import XenDB
import XenStorage

/// Connecting a host to an SR's storage, as SM's `attach` does: a local or `file` SR's folder
/// is made ready, a share is mounted (once: this process's hosts share the mount), an ISO
/// library's folder must exist.
enum SRAttachment {
    /// Readies the SR's storage; fails as SM fails (`SR_BACKEND_FAILURE_<n>`).
    static func attach(_ sr: ObjectView<SR>, config: [String: String], services: CoreServices, snapshot: Snapshot) throws(XenAPIError) {
        guard let kind = SRKind(type: sr.type) else { throw XenAPIError.srUnknownDriver(driver: sr.type) }
        if let share = share(type: sr.type, config: config) {
            do throws(ShareMount.Failure) {
                try share.mount(at: services.mountPoint(of: sr.uuid))
            } catch {
                throw mountError(error, share)
            }
        }
        guard let path = services.srFolder(of: sr.ref, in: snapshot) else {
            throw XenAPIError.storageBackend(84, "device-config:location is required")
        }
        switch kind {
        case .vhdFolder:
            if sr.type == "file" || sr.type == "ext" || share(type: sr.type, config: config) != nil {
                try storageOperation { () throws(VHDError) in try VHDFolder(path: path).prepare() }
            }
        case .isoLibrary:
            guard (try? ISOLibrary(path: path).scan()) != nil else {
                throw XenAPIError.storageBackend(226, "The ISO library location \(path) is not a readable folder")
            }
        }
    }

    /// Releases the SR's storage once no host is connected to it any more.
    static func detach(_ sr: ObjectView<SR>, services: CoreServices, snapshot: Snapshot, except pbd: Ref<PBD>) {
        let others = sr.pbds.filter { $0 != pbd && snapshot[$0]?.currentlyAttached == true }
        guard others.isEmpty, share(type: sr.type, config: snapshot[pbd]?.deviceConfig ?? [:]) != nil else { return }
        try? ShareMount.unmount(services.mountPoint(of: sr.uuid))
    }

    /// The share an NFS, SMB or remote ISO SR lives on.
    static func share(type: String, config: [String: String]) -> ShareMount? {
        switch type {
        case "nfs":
            guard let server = config["server"], let path = config["serverpath"] else { return nil }
            return ShareMount(kind: .nfs, source: server + ":" + path, options: config["nfsversion"].map { ["vers=\($0)"] } ?? [])
        case "smb":
            guard let server = config["server"] else { return nil }
            return ShareMount(kind: .cifs, source: server, options: credentials(config))
        case "iso":
            guard var share = config["location"].flatMap(ShareMount.init(location:)) else { return nil }
            if share.kind == .cifs { share.options = credentials(config) }
            return share
        default: return nil
        }
    }

    private static func credentials(_ config: [String: String]) -> [String] {
        var options: [String] = []
        if let user = config["username"] { options.append("username=\(user)") }
        if let password = config["cifspassword"] ?? config["password"] { options.append("password=\(password)") }
        return options
    }

    private static func mountError(_ failure: ShareMount.Failure, _ share: ShareMount) -> XenAPIError {
        let code = share.kind == .nfs ? 73 : 111
        switch failure {
        case .missingPackage(let program, let package):
            return .storageBackend(code, "\(program) is not installed: install the \(package) package to mount \(share.source)")
        case .failed(let status, let output):
            return .storageBackend(code, "mounting \(share.source) failed (\(status)): \(output)")
        }
    }
}
