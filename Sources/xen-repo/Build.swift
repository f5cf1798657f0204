import ArgumentParser
import CompressNIO
import Foundation
import NIOCore
import XenUpdates

/// `xen-repo build DESCRIPTION OUTPUT`: a yum repository as createrepo_c and modifyrepo_c lay
/// it out (`repodata/repomd.xml` listing sha256-named, gzip-compressed `primary` and
/// `updateinfo`), `repomd.xml` signed with a GnuPG key (made on first use in `--gnupg-home`)
/// whose public half is written beside the repository as `RPM-GPG-KEY-xen-repo`. Packages are
/// small placeholder files named as RPMs: the toolstack mirrors and checks them, it never opens them.
struct Build: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Build a signed update repository from a JSON description.")

    @Argument(help: "The description (JSON: packages, updates).")
    var description: String

    @Argument(help: "The folder to write the repository into (replaced).")
    var output: String

    @Option(name: .long, help: "GnuPG home holding the signing key (made, with a new key, if it has none).")
    var gnupgHome: String

    func run() async throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let spec = try decoder.decode(RepositoryDescription.self, from: Data(contentsOf: URL(fileURLWithPath: description)))
        let manager = FileManager.default
        try? manager.removeItem(atPath: output)
        try manager.createDirectory(atPath: output + "/Packages", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: output + "/repodata", withIntermediateDirectories: true)
        let revision = spec.revision ?? 0
        var packages: [(RPMPackage, String, String)] = []
        for name in spec.packages {
            guard let package = RPMPackage(fullName: name) else { throw ValidationError("not a package full name: \(name)") }
            let file = "Packages/\(package.name)-\(package.version)-\(package.release).\(package.arch).rpm"
            let content = Array("xen-repo placeholder for \(package.fullName)\n".utf8)
            try Data(content).write(to: URL(fileURLWithPath: output + "/" + file))
            packages.append((package, file, RepositoryIndex.sha256Text(content)))
        }
        var entries = [try write("primary", RepositoryXML.primary(packages), revision: revision)]
        if let updates = spec.updates, !updates.isEmpty {
            entries.append(try write("updateinfo", RepositoryXML.updateInfo(updates, version: spec.xapiApiVersion), revision: revision))
        }
        let repomd = RepositoryXML.repomd(entries, revision: revision)
        try Data(repomd.utf8).write(to: URL(fileURLWithPath: output + "/repodata/repomd.xml"))
        try sign(output + "/repodata/repomd.xml")
        print("built \(output): \(packages.count) packages, \(spec.updates?.count ?? 0) updates; key \(output)/RPM-GPG-KEY-xen-repo")
    }

    /// Writes `xml` gzip-compressed under its sha256; returns its repomd entry.
    private func write(_ type: String, _ xml: String, revision: Int64) throws -> RepositoryXML.Entry {
        let plain = Array(xml.utf8)
        var buffer = ByteBuffer(bytes: plain)
        let packed = Array(try buffer.compress(with: .gzip).readableBytesView)
        let sha = RepositoryIndex.sha256Text(packed)
        let location = "repodata/\(sha)-\(type).xml.gz"
        try Data(packed).write(to: URL(fileURLWithPath: output + "/" + location))
        return RepositoryXML.Entry(
            type: type, sha256: sha, openSHA256: RepositoryIndex.sha256Text(plain), location: location, size: packed.count,
            openSize: plain.count)
    }

    /// Signs `file` (detached, armoured) with the home's key, making the key first if needed,
    /// and exports the public key beside the repository.
    private func sign(_ file: String) throws {
        try FileManager.default.createDirectory(atPath: gnupgHome, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if (try? gpg(["--list-secret-keys", "--with-colons"]))?.contains("sec:") != true {
            _ = try gpg(["--passphrase", "", "--quick-gen-key", "xen-repo signing key <xen-repo@localhost>", "rsa2048", "sign", "never"])
        }
        _ = try gpg(["--yes", "--armor", "--detach-sign", "--output", file + ".asc", file])
        let key = try gpg(["--armor", "--export"])
        try Data(key.utf8).write(to: URL(fileURLWithPath: output + "/RPM-GPG-KEY-xen-repo"))
        // gpg leaves an agent running for the home; it is not needed once the repository is signed.
        let stop = Process()
        stop.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        stop.arguments = ["gpgconf", "--homedir", gnupgHome, "--kill", "gpg-agent"]
        try? stop.run()
        stop.waitUntilExit()
    }

    private func gpg(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gpg", "--batch", "--pinentry-mode", "loopback", "--homedir", gnupgHome] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let said = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("gpg \(arguments.joined(separator: " ")) failed: \(String(decoding: complaint, as: UTF8.self))")
        }
        return String(decoding: said, as: UTF8.self)
    }
}
