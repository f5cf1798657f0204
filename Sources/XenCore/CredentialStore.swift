import Synchronization

/// Holds root's credentials and writes them wherever the composition root keeps them.
public final class CredentialStore: Sendable {
    private let current: Mutex<RootCredentials>
    private let save: @Sendable (RootCredentials) throws -> Void

    /// `save` makes a changed password durable (xapid writes it into its data folder).
    public init(_ credentials: RootCredentials, save: @escaping @Sendable (RootCredentials) throws -> Void) {
        current = Mutex(credentials)
        self.save = save
    }

    public var credentials: RootCredentials { current.withLock { $0 } }

    /// Whether the pair is root's.
    public func verify(user: String, password: String) -> Bool {
        credentials.verify(user: user, password: password)
    }

    /// Replaces the password after saving the new hash.
    public func replace(with credentials: RootCredentials) throws {
        try save(credentials)
        current.withLock { $0 = credentials }
    }
}
