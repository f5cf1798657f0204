/// An HTTP proxy the repositories are reached through (`pool.configure_repository_proxy`).
public struct RepositoryProxy: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String

    public init(host: String, port: Int, username: String, password: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }
}
