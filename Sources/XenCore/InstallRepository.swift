import XenAPI

/// `other_config:install-repository`, which a VM installed from a network-install template
/// boots its installer from: `cdrom`, or an `http`, `https`, `ftp` or `nfs` URL with a host
/// (`nfs:server:/path`, XenServer's older spelling, too). Anything else fails the boot as the
/// installer's loader fails it.
enum InstallRepository {
    static func check(_ vm: VM, ref: Ref<VM>) throws(XenAPIError) {
        guard let repository = vm.otherConfig["install-repository"], !isValid(repository) else { return }
        throw XenAPIError.bootloaderFailed(
            vm: ref.rawValue,
            msg: "Malformed install repository \"\(repository)\": expected cdrom or an http, ftp or nfs URL")
    }

    static func isValid(_ repository: String) -> Bool {
        if repository == "cdrom" { return true }
        for scheme in ["http://", "https://", "ftp://", "nfs://"] where repository.hasPrefix(scheme) {
            let host = repository.dropFirst(scheme.count).prefix { $0 != "/" && $0 != ":" }
            return !host.isEmpty && !repository.contains(" ")
        }
        if repository.hasPrefix("nfs:") {
            let parts = repository.dropFirst(4).split(separator: ":", maxSplits: 1)
            return parts.count == 2 && !parts[0].isEmpty && parts[1].hasPrefix("/")
        }
        return false
    }
}
