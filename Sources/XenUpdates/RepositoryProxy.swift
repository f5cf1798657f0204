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

/// How to reach one repository: its base URL, the proxy to go through, and for another pool's
/// coordinator the credentials to log in with and its certificate, the only one trusted.
public struct RepositoryAccess: Sendable, Hashable {
    public var baseURL: String
    public var proxy: RepositoryProxy?
    public var username: String
    public var password: String
    /// A PEM certificate the server must present (a remote pool's coordinator); `nil` for the
    /// system's usual verification.
    public var pinnedCertificate: String?

    public init(baseURL: String, proxy: RepositoryProxy? = nil, username: String = "", password: String = "", pinnedCertificate: String? = nil) {
        self.baseURL = baseURL
        self.proxy = proxy
        self.username = username
        self.password = password
        self.pinnedCertificate = pinnedCertificate
    }
}
