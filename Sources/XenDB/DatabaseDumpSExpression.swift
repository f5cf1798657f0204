/// The S-expressions xapi writes set and map values in, inside its database dump (`sExpr.ml`):
/// a set is `('a' 'b')`, a map `(('k' 'v') ('k2' 'v2'))`, strings in single quotes with `\` and
/// `'` escaped by a backslash.
enum DatabaseDumpSExpression: Equatable {
    case string(String)
    case node([DatabaseDumpSExpression])

    /// The text of the expression.
    var text: String {
        switch self {
        case .string(let value):
            var escaped = "'"
            for character in value {
                if character == "\\" || character == "'" { escaped.append("\\") }
                escaped.append(character)
            }
            return escaped + "'"
        case .node(let children):
            return "(" + children.map(\.text).joined(separator: " ") + ")"
        }
    }

    /// Reads one expression; `nil` when the text is not one.
    static func parse(_ text: String) -> DatabaseDumpSExpression? {
        var characters = Array(text)[...]
        guard let expression = parse(&characters) else { return nil }
        while characters.first?.isWhitespace == true { characters.removeFirst() }
        return characters.isEmpty ? expression : nil
    }

    private static func parse(_ characters: inout ArraySlice<Character>) -> DatabaseDumpSExpression? {
        while characters.first?.isWhitespace == true { characters.removeFirst() }
        guard let first = characters.popFirst() else { return nil }
        switch first {
        case "(":
            var children: [DatabaseDumpSExpression] = []
            while true {
                while characters.first?.isWhitespace == true { characters.removeFirst() }
                if characters.first == ")" {
                    characters.removeFirst()
                    return .node(children)
                }
                guard let child = parse(&characters) else { return nil }
                children.append(child)
            }
        case "'", "\"":
            var value = ""
            while let character = characters.popFirst() {
                if character == "\\" {
                    guard let escaped = characters.popFirst() else { return nil }
                    value.append(escaped)
                } else if character == first {
                    return .string(value)
                } else {
                    value.append(character)
                }
            }
            return nil
        default:
            // A bare symbol, up to a space or parenthesis.
            var value = String(first)
            while let next = characters.first, !next.isWhitespace, next != "(", next != ")" { value.append(characters.removeFirst()) }
            return .string(value)
        }
    }
}
