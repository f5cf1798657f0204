/// Why a QMP or guest-agent exchange failed.
public enum QMPError: Error, Sendable, Hashable {
    /// The socket could not be reached.
    case connectionFailed(path: String, reason: String)
    /// The connection ended (the process exited, or the agent's port closed).
    case closed
    /// No answer within the deadline.
    case timedOut(command: String)
    /// QEMU or the agent refused the command: its error class and description.
    case commandFailed(command: String, errorClass: String, description: String)
    /// The other end did not speak the protocol (no greeting, a reply of the wrong shape).
    case protocolViolation(String)
}
