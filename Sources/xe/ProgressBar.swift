#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The progress of a long task drawn on standard error (only when that is a terminal):
/// `[#########           ]  45%`, redrawn in place and cleared at the end.
struct ProgressBar {
    private(set) var shown = false
    private let width = 40

    mutating func draw(_ fraction: Double) {
        let clamped = min(max(fraction, 0), 1)
        let filled = Int((clamped * Double(width)).rounded(.down))
        let percent = String(Int((clamped * 100).rounded(.down)))
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        Output.standardError("\r[\(bar)] \(String(repeating: " ", count: 3 - percent.count))\(percent)%", newline: false)
        shown = true
    }

    /// Clears the bar so the next output starts on a clean line.
    mutating func clear() {
        guard shown else { return }
        Output.standardError("\r" + String(repeating: " ", count: width + 8) + "\r", newline: false)
        shown = false
    }
}

/// Unbuffered writes to the standard streams.
enum Output {
    static func standardOutput(_ text: String) { write(1, text + "\n") }

    static func standardError(_ text: String, newline: Bool = true) { write(2, newline ? text + "\n" : text) }

    static var standardErrorIsTerminal: Bool { isatty(2) == 1 }

    private static func write(_ descriptor: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                #if canImport(Glibc)
                Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #else
                Darwin.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #endif
            }
            if written <= 0 { return }
            offset += written
        }
    }
}
