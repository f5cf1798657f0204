/// Reads a byte stream that arrives in chunks (an HTTP body) strictly in order: exact reads,
/// skips, and the end. A stream that ends early is `VHDError.truncated`.
public struct ByteStreamReader {
    private let next: () async throws -> [UInt8]?
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes consumed so far.
    public private(set) var position: Int64 = 0

    /// `next` returns the next chunk, or `nil` at the end of the stream.
    public init(next: @escaping () async throws -> [UInt8]?) { self.next = next }

    /// Exactly `count` bytes.
    public mutating func read(_ count: Int) async throws -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        while result.count < count {
            guard try await fill() else { throw VHDError.truncated(at: position) }
            let take = min(count - result.count, buffer.count - start)
            result.append(contentsOf: buffer[start..<(start + take)])
            start += take
            position += Int64(take)
        }
        return result
    }

    /// Up to `count` bytes: fewer only at the end of the stream (none once it has ended).
    public mutating func read(upTo count: Int) async throws -> [UInt8] {
        var result: [UInt8] = []
        while result.count < count, try await fill() {
            let take = min(count - result.count, buffer.count - start)
            result.append(contentsOf: buffer[start..<(start + take)])
            start += take
            position += Int64(take)
        }
        return result
    }

    /// Passes over `count` bytes.
    public mutating func skip(_ count: Int64) async throws {
        var left = count
        while left > 0 {
            guard try await fill() else { throw VHDError.truncated(at: position) }
            let take = Int(min(left, Int64(buffer.count - start)))
            start += take
            position += Int64(take)
            left -= Int64(take)
        }
    }

    /// Puts `bytes`, the last ones read, back in front of the stream.
    public mutating func unread(_ bytes: [UInt8]) {
        buffer = bytes + Array(buffer[min(start, buffer.count)...])
        start = 0
        position -= Int64(bytes.count)
    }

    /// Whether the stream has ended.
    public mutating func atEnd() async throws -> Bool { !(try await fill()) }

    /// Makes sure unread bytes are buffered; `false` at the end of the stream.
    private mutating func fill() async throws -> Bool {
        while start >= buffer.count {
            guard let chunk = try await next() else { return false }
            buffer = chunk
            start = 0
        }
        return true
    }
}
