#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only byte buffer the encoders write into (faster than building `String`s or
/// appending to an `Array`: it copies with `memcpy` into storage it owns). With a sink it hands
/// over full chunks as it goes, so a large response streams while it is encoded.
struct ByteWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    private let sink: ((UnsafeRawBufferPointer) -> Void)?
    private let chunkSize: Int

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
        sink = nil
        chunkSize = .max
    }

    init(chunkSize: Int, sink: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.chunkSize = max(chunkSize, 64)
        self.sink = sink
        capacity = self.chunkSize + self.chunkSize / 4
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// A copy of everything written.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Hands the buffered bytes to the sink once a chunk is full (called between values).
    mutating func flushIfFull() {
        guard let sink, count >= chunkSize else { return }
        sink(UnsafeRawBufferPointer(start: base, count: count))
        count = 0
    }

    /// Hands whatever is left to the sink.
    mutating func finish() {
        guard let sink, count > 0 else { return }
        sink(UnsafeRawBufferPointer(start: base, count: count))
        count = 0
    }

    private mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var newCapacity = capacity * 2
        while newCapacity < count + extra { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    mutating func append(_ buffer: UnsafeBufferPointer<UInt8>) {
        guard let source = buffer.baseAddress, !buffer.isEmpty else { return }
        precondition(source + buffer.count <= base || source >= base + capacity, "appending the writer's own storage")
        reserve(buffer.count)
        (base + count).update(from: source, count: buffer.count)
        count += buffer.count
    }

    mutating func append(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func append(_ array: [UInt8]) {
        array.withUnsafeBufferPointer { append($0) }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    mutating func appendDecimal(_ value: Int64) {
        var magnitude = value.magnitude
        reserve(20)
        if value < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        var digits = 0
        repeat {
            base[count + digits] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            digits += 1
        } while magnitude > 0
        // The digits came out least significant first.
        var low = count, high = count + digits - 1
        while low < high {
            (base[low], base[high]) = (base[high], base[low])
            low += 1
            high -= 1
        }
        count += digits
    }

    /// Writes a double the way xapi does (`%.16g`: `1`, `0.5`, `1e+20`).
    mutating func appendDouble(_ value: Double) {
        append(formatDouble(value))
    }
}

/// Formats a double as C's `%.16g` does.
func formatDouble(_ value: Double) -> String {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 40) { buffer in
        let count = withVaList([value]) { vsnprintf(buffer.baseAddress!, 40, "%.16g", $0) }
        guard count > 0 else { return String(value) }
        return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: min(Int(count), 39)), as: UTF8.self)
    }
}
