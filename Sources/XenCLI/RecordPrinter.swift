import Foundation

/// Writes records as `xe` does (`cli_printer.ml`): aligned `name (QUAL): value` lines, two blank
/// lines after each record (the record's own line end, and the one its `Print` adds); or, with
/// `--minimal`, one line of the first column's values.
public enum RecordPrinter {
    /// One printed line: the field's name with its qualifier, and its value.
    public typealias Line = (label: String, value: String)

    /// The lines of one record: the first label padded on the right, the rest on the left, all
    /// to four more than the longest label, then `: ` and the value.
    public static func record(_ lines: [Line]) -> [String] {
        guard let first = lines.first else { return [] }
        let width = (lines.map(\.label.count).max() ?? 0) + 4
        var output = [pad(first.label, to: width, left: false) + ": " + first.value]
        for line in lines.dropFirst() { output.append(pad(line.label, to: width, left: true) + ": " + line.value) }
        return output
    }

    /// Records one after another, each followed by two empty lines.
    public static func records(_ records: [[Line]]) -> [String] {
        records.flatMap { record($0) + ["", ""] }
    }

    /// `--minimal`: the values comma-separated on one line, with commas and backslashes escaped.
    public static func minimal(_ values: [String]) -> String {
        values.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ",", with: "\\,") }
            .joined(separator: ",")
    }

    private static func pad(_ text: String, to width: Int, left: Bool) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return left ? padding + text : text + padding
    }
}
