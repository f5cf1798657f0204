import Collections
import XenDB
import XenRPC

/// The JSON form of journal records and snapshot images stored in SQLite. Types the JSON loses
/// (datetimes, doubles that look integral) come back through the schema when the database loads.
enum JournalCoding {
    static func encode(_ changes: [JournalChange]) -> String {
        let value = RPCValue.array(changes.map { change -> RPCValue in
            switch change {
            case .insert(let className, let ref, let fields):
                ["op": "insert", "class": .string(className), "ref": .string(ref), "fields": .structure(fields)]
            case .set(let className, let ref, let field, let value):
                ["op": "set", "class": .string(className), "ref": .string(ref), "field": .string(field), "value": value]
            case .delete(let className, let ref):
                ["op": "delete", "class": .string(className), "ref": .string(ref)]
            }
        })
        return String(decoding: JSONRPC.encode(value), as: UTF8.self)
    }

    static func decodeChanges(_ text: String) throws -> [JournalChange] {
        guard case .array(let items) = try JSONRPC.decode(Array(text.utf8)) else { throw CorruptJournal() }
        return try items.map { item -> JournalChange in
            guard case .string(let op) = item["op"], case .string(let className) = item["class"],
                case .string(let ref) = item["ref"]
            else { throw CorruptJournal() }
            switch op {
            case "insert":
                guard case .structure(let fields) = item["fields"] else { throw CorruptJournal() }
                return .insert(className: className, ref: ref, fields: fields)
            case "set":
                guard case .string(let field) = item["field"], let value = item["value"] else { throw CorruptJournal() }
                return .set(className: className, ref: ref, field: field, value: value)
            case "delete":
                return .delete(className: className, ref: ref)
            default:
                throw CorruptJournal()
            }
        }
    }

    static func encode(_ snapshot: PersistedSnapshot) -> String {
        var tables = OrderedDictionary<String, RPCValue>()
        for className in snapshot.tables.keys.sorted() {
            var rows = OrderedDictionary<String, RPCValue>()
            for (ref, row) in snapshot.tables[className]!.sorted(by: { $0.key < $1.key }) {
                rows[ref] = ["created": .int(row.created), "modified": .int(row.modified), "fields": .structure(row.fields)]
            }
            tables[className] = .structure(rows)
        }
        let tombstones = RPCValue.array(snapshot.tombstones.map {
            ["class": .string($0.className), "ref": .string($0.ref), "created": .int($0.created), "deleted": .int($0.deleted)]
        })
        let value: RPCValue = ["generation": .int(snapshot.generation), "tables": .structure(tables), "tombstones": tombstones]
        return String(decoding: JSONRPC.encode(value), as: UTF8.self)
    }

    static func decodeSnapshot(_ text: String) throws -> PersistedSnapshot {
        let value = try JSONRPC.decode(Array(text.utf8))
        guard case .int(let generation) = value["generation"], case .structure(let tables) = value["tables"] else {
            throw CorruptJournal()
        }
        var result: [String: [String: PersistedRow]] = [:]
        for (className, rowsValue) in tables {
            guard case .structure(let rows) = rowsValue else { throw CorruptJournal() }
            var decoded: [String: PersistedRow] = [:]
            for (ref, row) in rows {
                guard case .int(let created) = row["created"], case .int(let modified) = row["modified"],
                    case .structure(let fields) = row["fields"]
                else { throw CorruptJournal() }
                decoded[ref] = PersistedRow(created: created, modified: modified, fields: fields)
            }
            result[className] = decoded
        }
        var tombstones: [Tombstone] = []
        for item in value["tombstones"]?.arrayValue ?? [] {
            guard case .string(let className) = item["class"], case .string(let ref) = item["ref"],
                case .int(let created) = item["created"], case .int(let deleted) = item["deleted"]
            else { throw CorruptJournal() }
            tombstones.append(Tombstone(className: className, ref: ref, created: created, deleted: deleted))
        }
        return PersistedSnapshot(generation: generation, tables: result, tombstones: tombstones)
    }
}

/// The stored journal or snapshot could not be read back.
struct CorruptJournal: Error, CustomStringConvertible {
    var description: String { "the pool database file holds a record that cannot be read" }
}
