import Crypto

/// The checksum member that follows each chunk of an XVA disk: `.xxhash` (XXH64 as 16 uppercase
/// hex digits, what xapi writes since XenServer 8.1) or `.checksum` (SHA-1 as 40 lowercase hex
/// digits, what older xapi wrote and tools such as `xva-img` still read).
public enum XVAChunkChecksum: String, Sendable, CaseIterable {
    case xxhash
    case sha1

    /// The member's name suffix, after the chunk's name.
    public var suffix: String {
        switch self {
        case .xxhash: ".xxhash"
        case .sha1: ".checksum"
        }
    }

    /// The checksum a member with this `name` states, if it is a checksum member of `chunk`.
    public static func kind(of name: String, chunk: String) -> XVAChunkChecksum? {
        allCases.first { name == chunk + $0.suffix }
    }

    /// The member's content for `data`, as the format writes it.
    public func text(_ data: UnsafeRawBufferPointer) -> String {
        switch self {
        case .xxhash:
            return XXH64.text(XXH64.hash(data))
        case .sha1:
            return Insecure.SHA1.hash(data: data).map { byte in
                let digits = String(byte, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }.joined()
        }
    }

    /// Whether `stated` (as read from a member, case as any writer chose) matches `data`.
    public func matches(_ stated: String, _ data: UnsafeRawBufferPointer) -> Bool {
        stated.lowercased() == text(data).lowercased()
    }
}
