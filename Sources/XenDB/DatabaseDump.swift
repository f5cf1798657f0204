import Collections
import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import XenAPI
import XenAPIModel
import XenRPC

/// The pool database in xapi's XML dump format (`db_xml.ml`), as `GET /pool/xmldbdump` and
/// `xe pool-dump-database` write it and `pool-restore-database` reads it:
///
/// ```
/// <?xml version="1.0" encoding="UTF-8"?>
/// <database><manifest><pair key="schema_major_vsn" value="5"/><pair key="schema_minor_vsn" value="909"/>
/// <pair key="generation_count" value="42"/></manifest>
/// <table name="VM"><row ref="OpaqueRef:…" __mtime="41" __ctime="7" uuid="…" name__label="web"/></table>…</database>
/// ```
///
/// Every table appears, rows only for persisted classes; columns by their database names
/// (`name__label`); values as text (sets and maps as S-expressions), with xapi's protection of
/// whitespace (`%.` for a space, `%t`, `%n`, `%r`, `%%`).
public enum DatabaseDump {
    /// The schema version written into the manifest: xapi's (XenServer 8).
    public static let schemaVersion = (major: 5, minor: 909)

    /// Why a dump could not be read.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// A dump read back: its manifest and its rows as a persisted image.
    public struct Contents: Sendable {
        public var schemaMajor: Int
        public var schemaMinor: Int
        public var generation: Int64
        public var image: PersistedSnapshot
    }

    /// The dump of `snapshot`, on one line after the XML declaration as xmlm writes it: tables
    /// and columns in byte order, each row's `ref`, `__ctime` and `__mtime` first, and the
    /// `_ref` column xapi keeps in every table.
    public static func xml(_ snapshot: Snapshot) -> [UInt8] {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<database><manifest>"
        out += pair("schema_major_vsn", String(schemaVersion.major)) + pair("schema_minor_vsn", String(schemaVersion.minor))
        out += pair("generation_count", String(snapshot.generation)) + "</manifest>"
        for className in snapshot.schema.classNames.sorted() {
            guard let schema = snapshot.schema[className] else { continue }
            let rows = schema.model.persisted ? snapshot.tables[className]?.rows : nil
            guard let rows, !rows.isEmpty else {
                out += "<table name=\"\(escape(className))\"/>"
                continue
            }
            let columns = (schema.fields.enumerated().map { ($0.element.columnName, $0.offset) } + [("_ref", -1)])
                .sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            out += "<table name=\"\(escape(className))\">"
            for ref in rows.keys.sorted() {
                let row = rows[ref]!
                out += "<row ref=\"\(escape(ref))\" __ctime=\"\(row.created)\" __mtime=\"\(row.modified)\""
                for (column, index) in columns {
                    let value = index < 0 ? ref : text(row.values[index], type: schema.fields[index].type)
                    out += " \(column)=\"\(escape(protect(value)))\""
                }
                out += "/>"
            }
            out += "</table>"
        }
        out += "</database>"
        return Array(out.utf8)
    }

    /// Reads a dump against `schema`: unknown tables and columns are left out, missing columns
    /// take their initial values when the image is restored.
    public static func parse(_ bytes: [UInt8], schema: DatabaseSchema) throws(Invalid) -> Contents {
        let reader = DumpReader()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse(), reader.sawDatabase else { throw Invalid("not a pool database dump: \(reader.failure ?? "malformed XML")") }
        guard let major = reader.manifest["schema_major_vsn"].flatMap(Int.init),
            let minor = reader.manifest["schema_minor_vsn"].flatMap(Int.init)
        else { throw Invalid("the dump has no schema version in its manifest") }
        let generation = reader.manifest["generation_count"].flatMap { Int64($0) } ?? 0
        var tables: [String: [String: PersistedRow]] = [:]
        for (className, rows) in reader.rows {
            guard let classSchema = schema[className], classSchema.model.persisted else { continue }
            var table: [String: PersistedRow] = [:]
            for row in rows {
                guard let ref = row["ref"] else { throw Invalid("a row of \(className) has no ref") }
                var fields = OrderedDictionary<String, RPCValue>()
                for field in classSchema.fields {
                    guard let raw = row[field.columnName] else { continue }
                    guard let value = value(unprotect(raw), type: field.type) else {
                        throw Invalid("\(className) \(ref): \(field.columnName) is not a \(field.type): \(raw)")
                    }
                    fields[field.name] = value
                }
                table[ref] = PersistedRow(
                    created: row["__ctime"].flatMap { Int64($0) } ?? 0, modified: row["__mtime"].flatMap { Int64($0) } ?? 0, fields: fields)
            }
            tables[className] = table
        }
        return Contents(
            schemaMajor: major, schemaMinor: minor, generation: generation,
            image: PersistedSnapshot(generation: generation, tables: tables))
    }

    /// A value as the dump writes it (enumerations in lower case, as xapi's database keeps them).
    static func text(_ value: RPCValue, type: FieldType) -> String {
        switch value {
        case .string(let text):
            if case .enumeration = type { return text.lowercased() }
            return text
        case .dateTime(let text), .base64(let text): return text
        case .int(let number): return String(number)
        case .int32(let number): return String(number)
        case .double(let number): return floatText(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .array(let elements):
            let elementType: FieldType = if case .set(let inner) = type { inner } else { .string }
            return DatabaseDumpSExpression.node(elements.map { .string(text($0, type: elementType)) }).text
        case .structure(let members):
            let valueType: FieldType = if case .map(_, let inner) = type { inner } else { .string }
            return DatabaseDumpSExpression.node(members.map { .node([.string($0.key), .string(text($0.value, type: valueType))]) }).text
        case .record, .nil: return ""
        }
    }

    /// A value of `type` from its dump text; `nil` when the text is not one.
    static func value(_ text: String, type: FieldType) -> RPCValue? {
        switch type {
        case .string, .ref, .enumeration: return .string(text)
        case .int: return Int64(text).map(RPCValue.int)
        case .float: return Double(text).map(RPCValue.double)
        case .bool: return text == "true" ? .bool(true) : text == "false" ? .bool(false) : nil
        case .datetime: return .dateTime(text)
        case .set(let element):
            guard case .node(let children)? = DatabaseDumpSExpression.parse(text) else { return text.isEmpty ? .array([]) : nil }
            var values: [RPCValue] = []
            for child in children {
                guard case .string(let item) = child, let value = value(item, type: element) else { return nil }
                values.append(value)
            }
            return .array(values)
        case .map(_, let valueType):
            guard case .node(let children)? = DatabaseDumpSExpression.parse(text) else { return text.isEmpty ? .structure([:]) : nil }
            var members = OrderedDictionary<String, RPCValue>()
            for child in children {
                guard case .node(let pair) = child, pair.count == 2, case .string(let key) = pair[0], case .string(let item) = pair[1],
                    let value = value(item, type: valueType)
                else { return nil }
                members[key] = value
            }
            return .structure(members)
        case .record: return nil
        }
    }

    /// Floats as OCaml's `%0.18g` would write most of them: plain decimal, no exponent for usual values.
    private static func floatText(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(format: "%.1f", number) : String(number)
    }

    private static func pair(_ key: String, _ value: String) -> String { "<pair key=\"\(key)\" value=\"\(escape(value))\"/>" }

    /// xapi's `Xml_spaces.protect`: whitespace survives XML attribute normalisation.
    static func protect(_ text: String) -> String {
        guard text.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "%" }) else { return text }
        var out = ""
        for character in text {
            switch character {
            case " ": out += "%."
            case "\t": out += "%t"
            case "\n": out += "%n"
            case "\r": out += "%r"
            case "%": out += "%%"
            default: out.append(character)
            }
        }
        return out
    }

    /// The inverse of `protect` (and xapi's older `%_` for a space).
    static func unprotect(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var out = ""
        var characters = text.makeIterator()
        while let character = characters.next() {
            guard character == "%", let next = characters.next() else {
                out.append(character)
                continue
            }
            switch next {
            case ".", "_": out += " "
            case "t": out += "\t"
            case "n": out += "\n"
            case "r": out += "\r"
            case "%": out += "%"
            default: out += "%" + String(next)
            }
        }
        return out
    }

    private static func escape(_ text: String) -> String { XMLText.escaped(text) }

    /// Collects the manifest and the rows from the parser's callbacks.
    private final class DumpReader: NSObject, XMLParserDelegate {
        var manifest: [String: String] = [:]
        var rows: [String: [[String: String]]] = [:]
        var table: String?
        var sawDatabase = false
        var failure: String?

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            switch name {
            case "database": sawDatabase = true
            case "pair": if let key = attributes["key"] { manifest[key] = attributes["value"] ?? "" }
            case "table": table = attributes["name"]
            case "row": if let table { rows[table, default: []].append(attributes) }
            default: break
            }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "table" { table = nil }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred error: any Error) { failure = "\(error)" }
    }
}
