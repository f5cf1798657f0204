import Foundation
import XenCore

/// Root's password hash in the data folder (`root-password.hash`, mode 0600).
struct RootPasswordFile {
    let path: String

    init(folder: String) { path = folder + "/root-password.hash" }

    /// The credentials to use: from the given password (stored for next time), else the stored
    /// hash, else a new random password, printed once.
    func credentials(given password: String?, environment: Environment) throws -> CredentialStore {
        let credentials: RootCredentials
        if let password {
            credentials = try RootCredentials.make(password: password, salt: environment.randomBytes(16))
            try save(credentials)
        } else if let text = try? String(contentsOfFile: path, encoding: .utf8),
            let stored = RootCredentials(encoded: text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            credentials = stored
        } else {
            let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
            let generated = String(environment.randomBytes(16).map { alphabet[Int($0) % alphabet.count] })
            credentials = try RootCredentials.make(password: generated, salt: environment.randomBytes(16))
            try save(credentials)
            announce("generated root password: \(generated)")
        }
        return CredentialStore(credentials, save: { [path] in try RootPasswordFile(path: path).save($0) })
    }

    private init(path: String) { self.path = path }

    func save(_ credentials: RootCredentials) throws {
        let temporary = path + ".new"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data((credentials.encoded + "\n").utf8),
                attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary]) }
        guard rename(temporary, path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
