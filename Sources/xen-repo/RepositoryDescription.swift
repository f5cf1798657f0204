/// What `xen-repo build` makes a repository of: its packages (by full name) and, for an update
/// repository, its updates with xapi's guidance, applicabilities and live patches.
struct RepositoryDescription: Decodable {
    /// `xapi-api-version` of `<updates>`.
    var xapiApiVersion: String?
    /// The revision and timestamp written into the metadata (seconds since the epoch).
    var revision: Int64?
    /// Full names, `qemu-2:4.2.1-5.2.13.xs8.x86_64.rpm`.
    var packages: [String]
    var updates: [Update]?

    struct Update: Decodable {
        var id: String
        var type: String
        var title: String
        var summary: String
        var description: String?
        var severity: String?
        /// `YYYY-MM-DD hh:mm:ss`.
        var issued: String
        var specialInfo: String?
        var url: String?
        /// Kind (`mandatory`, `recommended`, `full`, `livepatch`) to values (`RebootHost`…).
        var guidance: [String: [String]]?
        /// Full names of the packages of the update (each must be in `packages`).
        var packages: [String]
        var livepatches: [LivepatchEntry]?
        var applicabilities: [Applicability]?
    }

    struct LivepatchEntry: Decodable {
        var component: String
        var base: String
        var to: String
        var baseBuildid: String
    }

    struct Applicability: Decodable {
        var name: String
        var arch: String
        var inequality: String
        var epoch: String?
        var version: String
        var release: String
    }
}
