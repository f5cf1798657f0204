import Crypto
import Foundation
import NIOSSL
import X509
public import XenCore

/// The host's TLS identity: a key and a self-signed certificate kept in one PEM file in the data
/// folder, made on first start (as a fresh XenServer host makes `xapi-ssl.pem`).
public struct SelfSignedCertificate {
    public let path: String

    public init(folder: String) { path = folder + "/xapi-ssl.pem" }

    /// Reads the stored identity, or makes and stores a new one for `hostname`.
    public func loadOrCreate(hostname: String, environment: Environment) throws -> NIOSSL.TLSConfiguration {
        if !FileManager.default.fileExists(atPath: path) { try create(hostname: hostname, environment: environment) }
        let pem = try String(contentsOfFile: path, encoding: .utf8)
        let certificates = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(pem.utf8), format: .pem)
        return TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
    }

    private func create(hostname: String, environment: Environment) throws {
        let key = P256.Signing.PrivateKey()
        let now = Date(timeIntervalSince1970: TimeInterval(environment.wallClockSeconds()))
        let name = try DistinguishedName {
            CommonName(hostname)
            OrganizationName("swift-xapi")
        }
        var serial = environment.randomBytes(16)
        serial[0] &= 0x7F
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(bytes: serial),
            publicKey: .init(key.publicKey), notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(10 * 365 * 86_400), issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                SubjectAlternativeNames([.dnsName(hostname), .dnsName("localhost")])
            }, issuerPrivateKey: .init(key))
        let pem = key.pemRepresentation + "\n" + (try certificate.serializeAsPEM().pemString) + "\n"
        let temporary = path + ".new"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data(pem.utf8), attributes: [.posixPermissions: 0o600]),
            rename(temporary, path) == 0
        else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
    }
}
