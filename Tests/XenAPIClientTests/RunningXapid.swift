import Foundation
import XenAPI
import XenAPIClient

#if canImport(Glibc)
import Glibc
#endif

/// A real `xapid` process on a free loopback port, stopped when the test ends: the typed client
/// is tested the way the Python SDK is, over a real socket. (Real time is unavoidable here, as
/// in the wire tests: the server is another process.)
final class RunningXapid: Sendable {
    static let password = "client-test-password"
    let port: Int
    private let process: Process
    private let dataDirectory: URL

    init() async throws {
        port = try Self.freePort()
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("xapid-client-\(port)")
        try? FileManager.default.removeItem(at: dataDirectory)
        process = Process()
        process.executableURL = Self.binary
        process.arguments = [
            "--listen", "127.0.0.1:\(port)", "--https-listen", "off", "--data-dir", dataDirectory.path,
            "--root-password", Self.password, "--login-failure-delay", "0", "--log-level", "warning",
        ]
        try process.run()
        // Ready once it answers a call (here with SESSION_INVALID).
        for _ in 0..<500 {
            do {
                _ = try await connection(.xmlrpc).call("pool.get_all", ["OpaqueRef:NULL"])
                return
            } catch is XenAPIError {
                return
            } catch {}
            try await _Concurrency.Task.sleep(for: .milliseconds(20))
        }
        stop()
        throw XenAPITransportError("xapid did not start on port \(port)")
    }

    func connection(_ format: XenAPIConnection.WireFormat) -> XenAPIConnection {
        XenAPIConnection(transport: URLSessionTransport(baseURL: URL(string: "http://127.0.0.1:\(port)")!), format: format)
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    deinit { stop() }

    /// `$XAPID`, or the debug build's binary beside the package.
    private static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["XAPID"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/xapid")
    }

    /// A loopback port the kernel says is free.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw XenAPITransportError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw XenAPITransportError("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
