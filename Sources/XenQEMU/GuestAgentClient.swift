import Foundation

/// A connection to the guest agent (`qemu-ga`) on a VM's virtio-serial port: what XenServer's
/// guest tools tell xapi through xenstore. The agent is guest-controlled: every exchange has a
/// deadline, and nothing it says is trusted beyond its shape.
public final class GuestAgentClient: Sendable {
    private let channel: JSONCommandChannel

    private init(sleep: @escaping @Sendable (Duration) async throws -> Void) {
        channel = JSONCommandChannel(sleep: sleep)
    }

    /// Connects to the agent's socket at `path` and resynchronises with it (`guest-sync-delimited`:
    /// whatever a previous client left half-read is skipped). Fails with `timedOut` when no agent
    /// answers (the guest has not started it, or has none).
    public static func connect(
        path: String, sleep: @escaping @Sendable (Duration) async throws -> Void, token: Int64,
        timeout: Duration = .seconds(5)
    ) async throws(QMPError) -> GuestAgentClient {
        let client = GuestAgentClient(sleep: sleep)
        try await client.channel.connect(path: path, other: { _ in }, closed: {})
        do {
            // 0xFF makes the agent drop any partial command; its reply to the sync carries 0xFF too.
            try client.channel.write([0xFF])
            let echoed = try await client.channel.execute("guest-sync-delimited", ["id": .int(token)], timeout: timeout)
            guard echoed.intValue == token else { throw QMPError.protocolViolation("the agent echoed \(echoed), not \(token)") }
        } catch let error as QMPError {
            client.close()
            throw error
        } catch {
            client.close()
            throw .protocolViolation("\(error)")
        }
        return client
    }

    /// Runs `command` and returns its `return` value.
    @discardableResult
    public func execute(_ command: String, _ arguments: JSONValue? = nil, timeout: Duration = .seconds(10)) async throws(QMPError)
        -> JSONValue
    {
        try await channel.execute(command, arguments, timeout: timeout)
    }

    /// Asks the guest to power off (`powerdown`) or reboot (`reboot`); the agent never answers
    /// this, and QMP reports the outcome (`SHUTDOWN`, `RESET`).
    public func requestShutdown(mode: String) throws(QMPError) {
        try channel.send("guest-shutdown", ["mode": .string(mode)])
    }

    /// What the agent reports, in the shape of xapi's guest metrics.
    public func report(timeout: Duration = .seconds(10)) async throws(QMPError) -> GuestAgentReport {
        let info = try await execute("guest-info", timeout: timeout)
        let os = (try? await execute("guest-get-osinfo", timeout: timeout)) ?? .null
        let interfaces = (try? await execute("guest-network-get-interfaces", timeout: timeout))?.arrayValue ?? []
        return GuestAgentReport(info: info, osInfo: os, interfaces: interfaces)
    }

    /// Runs `program` with `arguments` in the guest (`guest-exec`), waits up to `timeout` for it
    /// to end, and returns its exit code and standard output.
    public func run(
        _ program: String, _ arguments: [String], sleep: @Sendable (Duration) async throws -> Void, timeout: Duration = .seconds(30)
    ) async throws(QMPError) -> (exitCode: Int64, output: String) {
        let started = try await execute(
            "guest-exec", ["path": .string(program), "arg": .array(arguments.map(JSONValue.string)), "capture-output": true])
        guard let pid = started["pid"]?.intValue else { throw .protocolViolation("guest-exec without a pid") }
        var waited = Duration.zero
        while waited < timeout {
            let status = try await execute("guest-exec-status", ["pid": .int(pid)])
            if status["exited"]?.boolValue == true {
                let encoded = status["out-data"]?.stringValue ?? ""
                let output = Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? ""
                return (status["exitcode"]?.intValue ?? -1, output)
            }
            do { try await sleep(.milliseconds(100)) } catch { throw .timedOut(command: "guest-exec-status") }
            waited += .milliseconds(100)
        }
        throw .timedOut(command: "guest-exec \(program)")
    }

    /// Closes the connection.
    public func close() { channel.close() }
}

/// The agent's answers mapped onto xapi's `VM_guest_metrics` fields.
public struct GuestAgentReport: Sendable, Hashable {
    /// `PV_drivers_version`: the agent's version as `major`, `minor`, `micro`.
    public var driversVersion: [String: String]
    /// `os_version`: `name`, `uname`, `distro`…
    public var osVersion: [String: String]
    /// Addresses by MAC address (lower case), IPv4 first, as the agent lists them.
    public var addresses: [String: [String]]

    init(info: JSONValue, osInfo: JSONValue, interfaces: [JSONValue]) {
        let parts = (info["version"]?.stringValue ?? "").split(separator: ".").map(String.init)
        var drivers: [String: String] = [:]
        for (key, value) in zip(["major", "minor", "micro"], parts) { drivers[key] = value }
        driversVersion = drivers
        var os: [String: String] = [:]
        if let name = osInfo["pretty-name"]?.stringValue ?? osInfo["name"]?.stringValue { os["name"] = name }
        if let release = osInfo["kernel-release"]?.stringValue { os["uname"] = release }
        if let id = osInfo["id"]?.stringValue { os["distro"] = id }
        if let version = osInfo["version-id"]?.stringValue { os["major"] = String(version.prefix { $0 != "." }) }
        if os["name"] == nil, let release = os["uname"] { os["name"] = "Linux \(release)" }
        osVersion = os
        var addresses: [String: [String]] = [:]
        for interface in interfaces {
            guard let mac = interface["hardware-address"]?.stringValue?.lowercased(), mac != "00:00:00:00:00:00" else { continue }
            let listed = interface["ip-addresses"]?.arrayValue ?? []
            let ordered = listed.filter { $0["ip-address-type"]?.stringValue == "ipv4" } + listed.filter {
                $0["ip-address-type"]?.stringValue == "ipv6"
            }
            addresses[mac] = ordered.compactMap { $0["ip-address"]?.stringValue }
        }
        self.addresses = addresses
    }
}
