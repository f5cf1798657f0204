/// xapi's datetime wire form: `YYYYMMDDTHH:MM:SSZ`, always UTC, epoch = "never".
public enum WireDateTime {
    /// `19700101T00:00:00Z`.
    public static let epoch = "19700101T00:00:00Z"

    /// Formats whole seconds since the Unix epoch.
    public static func format(secondsSinceEpoch seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
            + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2) + "Z"
    }

    /// Parses the compact form (with or without `Z`) and RFC 3339 (`2024-04-20T12:00:00Z`,
    /// `±hh:mm` offsets) into seconds since the epoch; `nil` if it is neither.
    public static func parse(_ text: String) -> Int64? {
        var digits = Array(text.utf8)
        // Remove the date hyphens of the RFC 3339 form.
        if digits.count >= 10, digits[4] == UInt8(ascii: "-"), digits[7] == UInt8(ascii: "-") {
            digits.remove(at: 7)
            digits.remove(at: 4)
        }
        guard digits.count >= 17, digits[8] == UInt8(ascii: "T"), digits[11] == UInt8(ascii: ":"),
            digits[14] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let byte = digits[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8), let hour = number(9..<11),
            let minute = number(12..<14), let second = number(15..<17), (1...12).contains(month), (1...31).contains(day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var rest = digits[17...]
        if rest.first == UInt8(ascii: ".") {
            rest = rest.drop(while: { $0 == UInt8(ascii: ".") || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) })
        }
        var offset: Int64 = 0
        if rest.first == UInt8(ascii: "Z") || rest.first == UInt8(ascii: "z") {
            rest = rest.dropFirst()
        } else if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            let zone = Array(rest.dropFirst())
            guard zone.count == 5, zone[2] == UInt8(ascii: ":"),
                let zh = Int64(String(decoding: zone[0..<2], as: UTF8.self)),
                let zm = Int64(String(decoding: zone[3..<5], as: UTF8.self))
            else { return nil }
            offset = (zh * 3600 + zm * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
            rest = []
        }
        guard rest.isEmpty else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        return days * 86_400 + hour * 3600 + minute * 60 + second - offset
    }

    /// Rewrites any accepted spelling into the canonical compact form.
    public static func canonical(_ text: String) -> String? {
        parse(text).map { format(secondsSinceEpoch: $0) }
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    // Howard Hinnant's days-from-civil algorithms (public domain arithmetic).
    private static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civilDate(daysSinceEpoch days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
