import Foundation
import XenAPI

/// What a repository URL must be, as xapi checks it (`repository_helpers.ml`): http or https
/// with a host, the host inside the domain allowlist when there is one (`INVALID_BASE_URL`
/// otherwise; a malformed list entry is `INVALID_REPOSITORY_DOMAIN_ALLOWLIST`); key file names
/// of letters, digits, `_` and `-` only.
enum RepositoryURLRules {
    static func assertValid(_ url: String, allowlist: [String]) throws(XenAPIError) {
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = parsed.host?.lowercased(), !host.isEmpty
        else { throw XenAPIError.invalidBaseUrl(url: url) }
        let invalid = allowlist.filter { !isDomain($0) }
        guard invalid.isEmpty else { throw XenAPIError.invalidRepositoryDomainAllowlist(domains: invalid.joined(separator: ",")) }
        guard allowlist.isEmpty || allowlist.contains(where: { host == $0.lowercased() || host.hasSuffix("." + $0.lowercased()) }) else {
            throw XenAPIError.invalidBaseUrl(url: url)
        }
    }

    /// A remote pool's repository: `https://<coordinator IP>/repository/enabled`.
    static func assertRemotePool(_ url: String) throws(XenAPIError) {
        guard let parsed = URLComponents(string: url), parsed.scheme == "https", let host = parsed.host,
            isIPAddress(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))), parsed.path == "/repository/enabled"
        else { throw XenAPIError.invalidBaseUrl(url: url) }
    }

    static func assertKeyName(_ name: String) throws(XenAPIError) {
        guard name.unicodeScalars.allSatisfy({ ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || $0 == "_" || $0 == "-" }) else {
            throw XenAPIError.invalidGpgkeyPath(gpgkeyPath: name)
        }
    }

    /// A domain name (labels of letters, digits and inner hyphens) or an IP address.
    static func isDomain(_ text: String) -> Bool {
        if isIPAddress(text) { return true }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return !labels.isEmpty && labels.allSatisfy { label in
            (1...63).contains(label.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") }
        }
    }

    static func isIPAddress(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) { return true }
        return text.contains(":") && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
}
