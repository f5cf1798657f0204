import XenAPI

extension Transaction {
    /// Replaces every persisted object with those of `image` (a restored database dump), in this
    /// one transaction: the current objects are deleted, the image's inserted under their refs,
    /// fields the image lacks taking their initial values, and the computed sets rebuilt.
    /// Objects of classes that are not persisted (sessions, tasks) stay.
    public mutating func replacePersisted(with image: PersistedSnapshot) throws(XenAPIError) {
        for className in snapshot.schema.classNames {
            guard let schema = snapshot.schema[className], schema.model.persisted else { continue }
            for ref in (snapshot.tables[className]?.rows.keys).map(Array.init) ?? [] { try delete(className, ref: ref) }
        }
        for className in snapshot.schema.classNames {
            guard let schema = snapshot.schema[className], schema.model.persisted, let rows = image.tables[className] else { continue }
            for ref in rows.keys.sorted() {
                let stored = rows[ref]!
                let values = schema.fields.map { field in
                    stored.fields[field.name].flatMap { try? ValueCoercion.coerce($0, to: field.type, field: field.name) }
                        ?? ValueCoercion.initialValue(for: field)
                }
                try insert(className, ref: ref, values: values)
            }
        }
        rebuildRelations()
    }
}
