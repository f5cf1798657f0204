import CDescriptorPassing
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A short session on a QEMU's second QMP monitor, the one that takes file descriptors: QEMU
/// names a descriptor sent with `getfd` per monitor, so the command that uses it (`migrate`,
/// `migrate-incoming` with `fd:<name>`) goes over the same connection. The event-reading monitor
/// cannot carry descriptors (its channel has no ancillary data), hence a second one, used for a
/// few milliseconds at a time. Every read and write has a deadline.
final class QMPDescriptorMonitor {
    private let socket: Int32
    private var buffered: [UInt8] = []
    private let deadline: Duration

    private init(socket: Int32, deadline: Duration) {
        self.socket = socket
        self.deadline = deadline
    }

    /// Connects to the monitor at `path` and leaves negotiation mode.
    static func connect(path: String, deadline: Duration = .seconds(5)) throws(QMPError) -> QMPDescriptorMonitor {
        let made = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard made >= 0 else { throw .connectionFailed(path: path, reason: String(cString: strerror(errno))) }
        // From here the monitor owns the socket and closes it when released.
        let monitor = QMPDescriptorMonitor(socket: made, deadline: deadline)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw .connectionFailed(path: path, reason: "the socket path is too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(made, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw .connectionFailed(path: path, reason: String(cString: strerror(errno))) }
        _ = try monitor.readMessage(skipping: { _ in false }, command: "greeting")
        try monitor.execute("qmp_capabilities", nil)
        return monitor
    }

    deinit { Glibc.close(socket) }

    /// Hands `descriptor` to QEMU under `name` (`getfd`); QEMU keeps its own copy.
    func pass(_ descriptor: Int32, as name: String) throws(QMPError) {
        let line = JSONValue.object(["execute": "getfd", "arguments": ["fdname": .string(name)]]).line() + [0x0A]
        let sent = line.withUnsafeBytes { descriptor_passing_send(socket, $0.baseAddress, $0.count, descriptor) }
        guard sent == line.count else { throw .connectionFailed(path: "getfd", reason: String(cString: strerror(errno))) }
        _ = try reply(to: "getfd")
    }

    /// Runs `command` and returns its `return` value.
    @discardableResult
    func execute(_ command: String, _ arguments: JSONValue?) throws(QMPError) -> JSONValue {
        var message: [String: JSONValue] = ["execute": .string(command)]
        if let arguments { message["arguments"] = arguments }
        try write(JSONValue.object(message).line() + [0x0A], command: command)
        return try reply(to: command)
    }

    private func write(_ bytes: [UInt8], command: String) throws(QMPError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw .closed }
            offset += sent
        }
    }

    /// The reply to the command just sent, past any events.
    private func reply(to command: String) throws(QMPError) -> JSONValue {
        let message = try readMessage(skipping: { $0["event"] != nil }, command: command)
        if let error = message["error"] {
            throw .commandFailed(
                command: command, errorClass: error["class"]?.stringValue ?? "", description: error["desc"]?.stringValue ?? "")
        }
        return message["return"] ?? .null
    }

    /// The next line that `skipping` does not pass over, as JSON.
    private func readMessage(skipping: (JSONValue) -> Bool, command: String) throws(QMPError) -> JSONValue {
        while true {
            if let end = buffered.firstIndex(of: 0x0A) {
                let line = Array(buffered[..<end])
                buffered.removeSubrange(...end)
                guard let value = try? JSONValue.parse(line) else { throw .protocolViolation("a line that is not JSON") }
                if skipping(value) { continue }
                return value
            }
            var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(deadline.components.seconds * 1000 + deadline.components.attoseconds / 1_000_000_000_000_000)
            let ready = poll(&poller, 1, milliseconds)
            guard ready > 0 else { throw .timedOut(command: command) }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw .closed }
            buffered += chunk[..<count]
        }
    }
}
