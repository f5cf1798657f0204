/// Recent deletions, newest last, in chunks so appending to a log shared with older snapshots
/// copies at most one small chunk.
public struct TombstoneLog: Sendable {
    private static let chunkSize = 256
    private var sealed: [[Tombstone]] = []
    private var tail: [Tombstone] = []

    public init(_ tombstones: [Tombstone] = []) {
        for tombstone in tombstones { append(tombstone) }
    }

    public var count: Int { sealed.count * Self.chunkSize + tail.count }

    /// The newest deletion.
    public var newest: Tombstone? { tail.last ?? sealed.last?.last }

    mutating func append(_ tombstone: Tombstone) {
        tail.append(tombstone)
        if tail.count == Self.chunkSize {
            sealed.append(tail)
            tail = []
        }
    }

    /// Forgets the oldest deletions, a chunk at a time, once more than `limit` are kept.
    mutating func trim(keeping limit: Int) {
        while count - Self.chunkSize >= limit, !sealed.isEmpty { sealed.removeFirst() }
    }

    /// Deletions newer than `generation`, newest first, without visiting older ones.
    public func deleted(after generation: Int64) -> [Tombstone] {
        var result: [Tombstone] = []
        for tombstone in tail.reversed() {
            if tombstone.deleted <= generation { return result }
            result.append(tombstone)
        }
        for chunk in sealed.reversed() {
            for tombstone in chunk.reversed() {
                if tombstone.deleted <= generation { return result }
                result.append(tombstone)
            }
        }
        return result
    }

    /// Every kept deletion, oldest first.
    public var all: [Tombstone] { sealed.flatMap { $0 } + tail }
}
