import Collections
import XenRPC

/// Converts between the live snapshot and its persisted image. Restoring goes by field name,
/// so a newer model reads an older image: new fields take their defaults, dropped ones vanish.
enum SnapshotCoding {
    static func persisted(_ snapshot: Snapshot) -> PersistedSnapshot {
        var tables: [String: [String: PersistedRow]] = [:]
        for (className, table) in snapshot.tables {
            guard let schema = snapshot.schema[className], schema.model.persisted else { continue }
            var rows: [String: PersistedRow] = [:]
            for (ref, row) in table.rows {
                var fields = OrderedDictionary<String, RPCValue>(minimumCapacity: row.values.count)
                for (index, field) in schema.fields.enumerated() { fields[field.name] = row.values[index] }
                rows[ref] = PersistedRow(created: row.created, modified: row.modified, fields: fields)
            }
            tables[className] = rows
        }
        let tombstones = snapshot.tombstones.all.filter { snapshot.schema[$0.className]?.model.persisted == true }
        return PersistedSnapshot(generation: snapshot.generation, tables: tables, tombstones: tombstones)
    }

    static func restore(_ image: PersistedSnapshot, schema: DatabaseSchema) -> Snapshot {
        var snapshot = Snapshot(schema: schema)
        snapshot.generation = image.generation
        for (className, rows) in image.tables {
            guard let classSchema = schema[className] else { continue }
            var table = Table()
            for (ref, stored) in rows {
                let values = classSchema.fields.map { field in
                    stored.fields[field.name].flatMap { try? ValueCoercion.coerce($0, to: field.type, field: field.name) }
                        ?? ValueCoercion.initialValue(for: field)
                }
                table.rows[ref] = Row(values: values, created: stored.created, modified: stored.modified)
                if let uuidIndex = classSchema.uuidIndex, case .string(let uuid) = values[uuidIndex], !uuid.isEmpty {
                    table.byUUID[uuid] = ref
                }
                table.lastChanged = max(table.lastChanged, stored.modified)
            }
            snapshot.tables[className] = table
        }
        snapshot.tombstones = TombstoneLog(image.tombstones.filter { schema[$0.className] != nil })
        rebuildRelations(&snapshot)
        return snapshot
    }

    /// Recomputes every computed set (the "many" end of a relation) from the refs that point at
    /// it, so an image written by an older model, or with a relation added since, reads right.
    static func rebuildRelations(_ snapshot: inout Snapshot) {
        for className in snapshot.schema.classNames {
            guard let schema = snapshot.schema[className], !schema.manySide.isEmpty else { continue }
            for ref in snapshot.tables[className]!.rows.keys {
                for index in schema.manySide { snapshot.tables[className]!.rows[ref]!.values[index] = .array([]) }
            }
        }
        for className in snapshot.schema.classNames {
            guard let schema = snapshot.schema[className], !schema.oneSide.isEmpty else { continue }
            for (ref, row) in snapshot.tables[className]!.rows.sorted(by: { $0.key < $1.key }) {
                for (index, end) in schema.oneSide {
                    for target in Transaction.targets(row.values[index]) {
                        guard var targetRow = snapshot.tables[end.manyClass]?.rows[target],
                            case .array(var members) = targetRow.values[end.manyIndex]
                        else { continue }
                        members.append(.string(ref))
                        targetRow.values[end.manyIndex] = .array(members)
                        snapshot.tables[end.manyClass]!.rows[target] = targetRow
                    }
                }
            }
        }
    }
}
