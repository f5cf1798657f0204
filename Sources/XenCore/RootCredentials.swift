import Crypto
import _CryptoExtras

/// The root password, kept only as a salted PBKDF2-SHA256 hash.
public struct RootCredentials: Sendable, Hashable {
    public static let userName = "root"
    /// OWASP's floor for PBKDF2-SHA256.
    public static let rounds = 210_000

    public var salt: [UInt8]
    public var hash: [UInt8]
    public var rounds: Int

    public init(salt: [UInt8], hash: [UInt8], rounds: Int) {
        self.salt = salt
        self.hash = hash
        self.rounds = rounds
    }

    /// Derives the stored form of `password` with a fresh salt.
    public static func make(password: String, salt: [UInt8]) throws -> RootCredentials {
        RootCredentials(salt: salt, hash: try derive(password, salt: salt, rounds: rounds), rounds: rounds)
    }

    /// Whether `user`/`password` are root's, compared in constant time.
    public func verify(user: String, password: String) -> Bool {
        guard let candidate = try? Self.derive(password, salt: salt, rounds: rounds) else { return false }
        var difference: UInt8 = user == Self.userName ? 0 : 1
        guard candidate.count == hash.count else { return false }
        for (a, b) in zip(candidate, hash) { difference |= a ^ b }
        return difference == 0
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, rounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }

    /// `pbkdf2-sha256$<rounds>$<salt hex>$<hash hex>`, the form stored on disk.
    public var encoded: String {
        "pbkdf2-sha256$\(rounds)$\(Self.hex(salt))$\(Self.hex(hash))"
    }

    /// Reads the form written by `encoded`.
    public init?(encoded: String) {
        let parts = encoded.split(separator: "$").map(String.init)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]),
            let salt = Self.bytes(hex: parts[2]), let hash = Self.bytes(hex: parts[3])
        else { return nil }
        self.init(salt: salt, hash: hash, rounds: rounds)
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
    }

    private static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            result.append(byte)
        }
        return result
    }
}
