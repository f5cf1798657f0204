#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only byte buffer the encoders write into (faster than building `String`s). With a
/// sink it hands over full chunks as it goes, so a large response streams while it is encoded.
struct ByteWriter {
    var bytes: [UInt8] = []
    private let sink: (([UInt8]) -> Void)?
    private let chunkSize: Int

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
        sink = nil
        chunkSize = .max
    }

    init(chunkSize: Int, sink: @escaping ([UInt8]) -> Void) {
        self.chunkSize = chunkSize
        self.sink = sink
        bytes.reserveCapacity(chunkSize + chunkSize / 8)
    }

    /// Hands the buffered bytes to the sink once a chunk is full (called between values).
    mutating func flushIfFull() {
        guard let sink, bytes.count >= chunkSize else { return }
        sink(bytes)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Hands whatever is left to the sink.
    mutating func finish() {
        guard let sink, !bytes.isEmpty else { return }
        sink(bytes)
        bytes.removeAll()
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ byte: UInt8) { bytes.append(byte) }

    mutating func appendDecimal(_ value: Int64) {
        if value == 0 { bytes.append(UInt8(ascii: "0")); return }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
        }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        withUnsafeBytes(of: &digits) { buffer in
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }

    /// Writes a double the way xapi does (`%.16g`: `1`, `0.5`, `1e+20`).
    mutating func appendDouble(_ value: Double) {
        bytes.append(contentsOf: Array(formatDouble(value).utf8))
    }
}

/// Formats a double as C's `%.16g` does.
func formatDouble(_ value: Double) -> String {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 40) { buffer in
        let count = withVaList([value]) { vsnprintf(buffer.baseAddress!, 40, "%.16g", $0) }
        return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(count)), as: UTF8.self)
    }
}
