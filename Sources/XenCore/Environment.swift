/// Every source of nondeterminism the toolstack uses, injected from the composition root so a
/// whole pool can run under a seed (ARCHITECTURE.md §2.2).
public struct Environment: Sendable {
    /// Monotonic time since an arbitrary origin.
    public var now: @Sendable () -> Duration
    /// Suspends for the given duration (virtual in simulation); throws when cancelled.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Wall-clock time in whole seconds since the Unix epoch (for datetimes in records).
    public var wallClockSeconds: @Sendable () -> Int64
    /// A new random (v4-style) UUID in lower-case text form.
    public var makeUUID: @Sendable () -> String
    /// Random bytes, for salts and secrets.
    public var randomBytes: @Sendable (Int) -> [UInt8]
    /// Runs work owned by the service that drains it (structured; never a detached task).
    public var background: BackgroundWork

    public init(
        now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void,
        wallClockSeconds: @escaping @Sendable () -> Int64, makeUUID: @escaping @Sendable () -> String,
        randomBytes: @escaping @Sendable (Int) -> [UInt8], background: BackgroundWork
    ) {
        self.now = now
        self.sleep = sleep
        self.wallClockSeconds = wallClockSeconds
        self.makeUUID = makeUUID
        self.randomBytes = randomBytes
        self.background = background
    }
}

/// Formats 16 random bytes as a version-4 UUID string.
public func formatUUID(_ bytes: [UInt8]) -> String {
    precondition(bytes.count >= 16)
    var b = Array(bytes.prefix(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    let hex = b.map { byte -> String in
        let text = String(byte, radix: 16)
        return text.count == 1 ? "0" + text : text
    }
    return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-" + hex[8..<10].joined()
        + "-" + hex[10..<16].joined()
}
