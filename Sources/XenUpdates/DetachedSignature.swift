import Foundation

/// Checks a detached OpenPGP signature (`repomd.xml.asc`) with a repository's public key, as
/// dnf does with `repo_gpgcheck=1`, through GnuPG's `gpgv` (Debian's `gpgv`, which apt itself
/// uses): the key, ASCII-armoured as `RPM-GPG-KEY-*` files are, is made into a one-key keyring.
public enum DetachedSignature {
    /// Why a signature was not accepted.
    public struct Refused: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Verifies `signature` over `data` with `armoredKey`, using `scratch` (an empty folder the
    /// caller removes afterwards) for the files `gpgv` reads.
    public static func verify(data: [UInt8], signature: [UInt8], armoredKey: [UInt8], scratch: String) throws(Refused) {
        guard let key = dearmor(armoredKey) else { throw Refused(description: "the key is not an ASCII-armoured OpenPGP key") }
        let keyring = scratch + "/keyring.gpg"
        let signed = scratch + "/signed"
        let detached = scratch + "/signed.asc"
        do {
            try FileManager.default.createDirectory(atPath: scratch + "/home", withIntermediateDirectories: true)
            try Data(key).write(to: URL(fileURLWithPath: keyring))
            try Data(data).write(to: URL(fileURLWithPath: signed))
            try Data(signature).write(to: URL(fileURLWithPath: detached))
        } catch {
            throw Refused(description: "cannot write \(scratch): \(error)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gpgv", "--homedir", scratch + "/home", "--keyring", keyring, detached, signed]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            throw Refused(description: "gpgv cannot run: \(error)")
        }
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let reason = said.split(separator: "\n").last { $0.contains("BAD") || $0.contains("Can't") || $0.contains("no valid") }
            throw Refused(description: "the signature does not verify: \(reason.map(String.init) ?? said)")
        }
    }

    /// The binary packets of an ASCII-armoured block (RFC 4880 §6.2): the base64 lines between
    /// the headers' blank line and the checksum line.
    public static func dearmor(_ armored: [UInt8]) -> [UInt8]? {
        let lines = String(decoding: armored, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN PGP PUBLIC KEY BLOCK") }),
            let end = lines[begin...].firstIndex(where: { $0.hasPrefix("-----END PGP PUBLIC KEY BLOCK") }),
            let blank = lines[begin..<end].firstIndex(where: \.isEmpty)
        else { return nil }
        let body = lines[(blank + 1)..<end].filter { !$0.hasPrefix("=") }.joined()
        return Data(base64Encoded: body).map { [UInt8]($0) }
    }
}
