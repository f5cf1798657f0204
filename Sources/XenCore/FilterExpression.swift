public import XenAPI
public import XenDB
import XenRPC

/// xapi's `get_all_records_where` expression language (`db_filter_parse.mly`):
/// `field "name__label"="x" and (field "uuid"="y" or not true)`.
///
/// Only equality exists; both sides compare as the database's string form of the field.
/// `and` and `or` share one precedence and associate left; `not` binds looser than both.
public indirect enum FilterExpression: Sendable, Hashable {
    case constant(Bool)
    case equal(FilterOperand, FilterOperand)
    case and(FilterExpression, FilterExpression)
    case or(FilterExpression, FilterExpression)
    case not(FilterExpression)

    /// Parses `text`; a syntax error is `INVALID_VALUE [expression, reason]`.
    public static func parse(_ text: String) throws(XenAPIError) -> FilterExpression {
        var parser = FilterParser(tokens: try FilterLexer.tokens(text, expression: text), expression: text)
        let expression = try parser.expression()
        guard parser.atEnd else { throw parser.failure("unexpected \(parser.currentDescription)") }
        return expression
    }

    /// The field (column) names the expression mentions.
    public var fieldNames: Set<String> {
        switch self {
        case .constant: []
        case .equal(let lhs, let rhs): [lhs, rhs].reduce(into: []) { if case .field(let name) = $1 { $0.insert(name) } }
        case .and(let lhs, let rhs), .or(let lhs, let rhs): lhs.fieldNames.union(rhs.fieldNames)
        case .not(let inner): inner.fieldNames
        }
    }

    /// Parses `text` for a class: a field the class does not have is `INVALID_VALUE [expression, reason]`.
    public static func parse(_ text: String, for schema: ClassSchema) throws(XenAPIError) -> FilterExpression {
        let expression = try parse(text)
        for name in expression.fieldNames.sorted() where schema.columnIndex[name] == nil && schema.fieldIndex[name] == nil {
            throw XenAPIError.invalidValue(field: text, value: "\(schema.name) has no field \(name)")
        }
        return expression
    }

    /// Evaluates the expression against one row.
    public func matches(_ row: Row, schema: ClassSchema) -> Bool {
        switch self {
        case .constant(let value): value
        case .equal(let lhs, let rhs): lhs.text(row, schema) == rhs.text(row, schema)
        case .and(let lhs, let rhs): lhs.matches(row, schema: schema) && rhs.matches(row, schema: schema)
        case .or(let lhs, let rhs): lhs.matches(row, schema: schema) || rhs.matches(row, schema: schema)
        case .not(let inner): !inner.matches(row, schema: schema)
        }
    }
}

/// One side of `=`: a field (by database column name) or a literal.
public enum FilterOperand: Sendable, Hashable {
    case field(String)
    case literal(String)

    func text(_ row: Row, _ schema: ClassSchema) -> String? {
        switch self {
        case .literal(let text): return text
        case .field(let column):
            guard let index = schema.columnIndex[column] ?? schema.fieldIndex[column] else { return nil }
            return DatabaseText.render(row.values[index])
        }
    }
}

/// The string form the database compares in filters: booleans `true`/`false`, ints in decimal,
/// refs and enums as stored, sets and maps as S-expressions.
enum DatabaseText {
    static func render(_ value: RPCValue) -> String {
        switch value {
        case .string(let text), .dateTime(let text), .base64(let text): text
        case .int(let number): String(number)
        case .int32(let number): String(number)
        case .double(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .array(let elements): "(" + elements.map { "'\(render($0))'" }.joined(separator: " ") + ")"
        case .structure(let members): "(" + members.map { "('\($0.key)' '\(render($0.value))')" }.joined(separator: " ") + ")"
        case .record: render(.structure(value.structureValue ?? [:]))
        case .nil: ""
        }
    }
}

private enum FilterToken: Hashable {
    case field, and, or, not, `true`, `false`, equals, open, close
    case literal(String)
}

private enum FilterLexer {
    static func tokens(_ text: String, expression: String) throws(XenAPIError) -> [FilterToken] {
        var tokens: [FilterToken] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case " ", "\t", "\n", "\r":
                index += 1
            case "=":
                tokens.append(.equals)
                index += 1
            case "(":
                tokens.append(.open)
                index += 1
            case ")":
                tokens.append(.close)
                index += 1
            case "\"":
                var end = index + 1
                while end < characters.count, characters[end] != "\"" { end += 1 }
                guard end < characters.count else {
                    throw XenAPIError.invalidValue(field: expression, value: "unterminated string literal")
                }
                tokens.append(.literal(String(characters[(index + 1)..<end])))
                index = end + 1
            default:
                var end = index
                while end < characters.count, characters[end].isLetter { end += 1 }
                let word = String(characters[index..<end])
                switch word {
                case "field": tokens.append(.field)
                case "and": tokens.append(.and)
                case "or": tokens.append(.or)
                case "not": tokens.append(.not)
                case "true": tokens.append(.true)
                case "false": tokens.append(.false)
                default:
                    throw XenAPIError.invalidValue(field: expression, value: "unexpected character '\(character)'")
                }
                index = end
            }
        }
        return tokens
    }
}

private struct FilterParser {
    let tokens: [FilterToken]
    let source: String
    var position = 0

    init(tokens: [FilterToken], expression: String) {
        self.tokens = tokens
        self.source = expression
    }

    var atEnd: Bool { position == tokens.count }

    var currentDescription: String {
        guard position < tokens.count else { return "end of expression" }
        return "\(tokens[position])"
    }

    func failure(_ reason: String) -> XenAPIError { XenAPIError.invalidValue(field: source, value: reason) }

    private mutating func take(_ token: FilterToken) -> Bool {
        guard position < tokens.count, tokens[position] == token else { return false }
        position += 1
        return true
    }

    /// expr := "not" expr | atom (("and" | "or") (atom | "not" expr))*
    mutating func expression() throws(XenAPIError) -> FilterExpression {
        if take(.not) { return .not(try expression()) }
        var result = try atom()
        while true {
            if take(.and) {
                result = .and(result, try operand())
            } else if take(.or) {
                result = .or(result, try operand())
            } else {
                return result
            }
        }
    }

    private mutating func operand() throws(XenAPIError) -> FilterExpression {
        if take(.not) { return .not(try expression()) }
        return try atom()
    }

    private mutating func atom() throws(XenAPIError) -> FilterExpression {
        if take(.open) {
            let inner = try expression()
            guard take(.close) else { throw failure("expected ')' but found \(currentDescription)") }
            return inner
        }
        if take(.true) { return .constant(true) }
        if take(.false) { return .constant(false) }
        let lhs = try value()
        guard take(.equals) else { throw failure("expected '=' but found \(currentDescription)") }
        return .equal(lhs, try value())
    }

    private mutating func value() throws(XenAPIError) -> FilterOperand {
        if take(.field) {
            guard position < tokens.count, case .literal(let name) = tokens[position] else {
                throw failure("expected a field name after 'field'")
            }
            position += 1
            return .field(name)
        }
        guard position < tokens.count, case .literal(let text) = tokens[position] else {
            throw failure("expected a value but found \(currentDescription)")
        }
        position += 1
        return .literal(text)
    }
}
