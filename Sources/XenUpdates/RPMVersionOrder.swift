/// The order of RPM versions as xapi's `Rpm.Pkg` compares them: epochs first (no epoch is the
/// lowest), then versions, then releases, each split into runs of digits (compared as numbers),
/// runs of letters (compared as strings) and tildes (lower than anything, even the end); other
/// characters only separate runs, so `1.0_xs` equals `1.0.xs`.
public enum RPMVersionOrder: Sendable, Equatable {
    case less
    case equal
    case greater

    /// Compares two epoch-version-release triples.
    public static func compare(
        epoch e1: Int?, _ v1: String, _ r1: String, with e2: Int?, _ v2: String, _ r2: String
    ) -> RPMVersionOrder {
        let epochs: RPMVersionOrder =
            switch (e1, e2) {
            case (nil, nil): .equal
            case (nil, _): .less
            case (_, nil): .greater
            case (let a?, let b?): a < b ? .less : a == b ? .equal : .greater
            }
        guard epochs == .equal else { return epochs }
        let versions = compare(v1, v2)
        return versions == .equal ? compare(r1, r2) : versions
    }

    /// Compares two version (or release) strings segment by segment.
    public static func compare(_ s1: String, _ s2: String) -> RPMVersionOrder {
        var left = segments(s1)[...]
        var right = segments(s2)[...]
        while true {
            switch (left.first, right.first) {
            case (nil, nil): return .equal
            case (.tilde, nil): return .less
            case (nil, .tilde): return .greater
            case (_?, nil): return .greater
            case (nil, _?): return .less
            case (let a?, let b?):
                let order = compare(a, b)
                if order != .equal { return order }
                left = left.dropFirst()
                right = right.dropFirst()
            }
        }
    }

    enum Segment: Equatable {
        case number(UInt64)
        case text(String)
        case tilde
    }

    static func compare(_ a: Segment, _ b: Segment) -> RPMVersionOrder {
        switch (a, b) {
        case (.number(let x), .number(let y)): x < y ? .less : x == y ? .equal : .greater
        case (.text(let x), .text(let y)): x < y ? .less : x == y ? .equal : .greater
        case (.tilde, .tilde): .equal
        case (.number, .text): .greater
        case (.text, .number): .less
        case (.tilde, _): .less
        case (_, .tilde): .greater
        }
    }

    /// Runs of ASCII letters, runs of digits and tildes, in order; anything else separates.
    static func segments(_ text: String) -> [Segment] {
        var result: [Segment] = []
        var run: [UInt8] = []
        var runIsDigits = false
        func flush() {
            guard !run.isEmpty else { return }
            let string = String(decoding: run, as: UTF8.self)
            // Digits too many for a number still order as a number would, by length then text.
            if runIsDigits, let number = UInt64(string) { result.append(.number(number)) } else { result.append(.text(string)) }
            run.removeAll()
        }
        for byte in text.utf8 {
            let isDigit = (0x30...0x39).contains(byte)
            let isLetter = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            if byte == UInt8(ascii: "~") {
                flush()
                result.append(.tilde)
            } else if isDigit || isLetter {
                if !run.isEmpty && runIsDigits != isDigit { flush() }
                runIsDigits = isDigit
                run.append(byte)
            } else {
                flush()
            }
        }
        flush()
        return result
    }
}
