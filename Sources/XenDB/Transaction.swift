import Collections
public import XenAPI
import XenAPIModel
public import XenRPC

/// The working copy of one write: reads see its own writes; nothing is visible to others until
/// the enclosing `PoolDatabase.write` returns.
///
/// Values given to `insert` and `set` must already be canonical (see `ValueCoercion`); relation
/// ends (the computed ref sets) are maintained here, so callers only ever write the ref side.
public struct Transaction: Sendable {
    public private(set) var snapshot: Snapshot
    /// The generation this commit will publish.
    public let generation: Int64
    private(set) var changes: [JournalChange] = []
    private(set) var touched = false

    /// A transaction on `snapshot` that will publish `generation` (by default the next one).
    init(snapshot: Snapshot, generation: Int64? = nil) {
        self.snapshot = snapshot
        self.generation = generation ?? snapshot.generation + 1
    }

    public var schema: DatabaseSchema { snapshot.schema }

    private func classSchema(_ className: String) throws(XenAPIError) -> ClassSchema {
        guard let schema = snapshot.schema[className] else {
            throw XenAPIError.internalError(message: "unknown class \(className)")
        }
        return schema
    }

    /// Refuses a value that is not of the field's type in canonical form: a programming error
    /// in the caller, never silently stored.
    private func checkCanonical(_ value: RPCValue, _ field: Field, _ className: String) throws(XenAPIError) {
        guard (try? ValueCoercion.coerce(value, to: field.type, field: field.name)) == value else {
            throw XenAPIError.internalError(message: "\(className).\(field.name) cannot hold \(value)")
        }
    }

    /// Creates an object from field names (the generic implicit `create`, and replay). Missing
    /// fields take their initial value; an unknown name or a value of the wrong type is refused.
    public mutating func insert(_ className: String, ref: String, fields: [String: RPCValue]) throws(XenAPIError) {
        let schema = try classSchema(className)
        for (name, value) in fields {
            guard let index = schema.fieldIndex[name] else {
                throw XenAPIError.internalError(message: "\(className) has no field \(name)")
            }
            try checkCanonical(value, schema.fields[index], className)
        }
        try insert(className, ref: ref, values: schema.fields.map { fields[$0.name] ?? ValueCoercion.initialValue(for: $0) })
    }

    /// Creates an object from one canonical value per field, in model order.
    mutating func insert(_ className: String, ref: String, values given: [RPCValue]) throws(XenAPIError) {
        let schema = try classSchema(className)
        guard given.count == schema.fields.count else {
            throw XenAPIError.internalError(message: "a \(className) row needs \(schema.fields.count) values")
        }
        guard !snapshot.contains(className, ref) else {
            throw XenAPIError.internalError(message: "object \(ref) already exists")
        }
        var values = given
        if let uuidIndex = schema.uuidIndex, case .string(let uuid) = values[uuidIndex], !uuid.isEmpty,
            snapshot.tables[className]!.byUUID[uuid] != nil
        {
            throw XenAPIError.internalError(message: "a \(className) with uuid \(uuid) already exists")
        }
        for index in schema.manySide { values[index] = .array([]) }
        snapshot.tables[className]!.rows[ref] = Row(values: values, created: generation, modified: generation)
        if let uuidIndex = schema.uuidIndex, case .string(let uuid) = values[uuidIndex], !uuid.isEmpty {
            snapshot.tables[className]!.byUUID[uuid] = ref
        }
        snapshot.tables[className]!.lastChanged = generation
        for (index, end) in schema.oneSide {
            for target in Self.targets(values[index]) { addToSet(end.manyClass, target, end.manyIndex, ref) }
        }
        var recorded = OrderedDictionary<String, RPCValue>(minimumCapacity: values.count)
        for (index, field) in schema.fields.enumerated() where !schema.manySide.contains(index) {
            recorded[field.name] = values[index]
        }
        changes.append(.insert(className: className, ref: ref, fields: recorded))
    }

    /// Changes one field of an existing object, by name (the generic implicit setters). An
    /// unknown or computed field, or a value of the wrong type, is refused.
    public mutating func set(_ className: String, ref: String, field: String, value: RPCValue) throws(XenAPIError) {
        let schema = try classSchema(className)
        guard let index = schema.fieldIndex[field] else {
            throw XenAPIError.internalError(message: "\(className) has no field \(field)")
        }
        try checkCanonical(value, schema.fields[index], className)
        try set(className, ref: ref, index: index, value: value)
    }

    /// Changes one field of an existing object, by position.
    mutating func set(_ className: String, ref: String, index: Int, value: RPCValue) throws(XenAPIError) {
        let schema = try classSchema(className)
        let field = schema.fields[index].name
        guard !schema.manySide.contains(index) else {
            throw XenAPIError.internalError(message: "\(className).\(field) is computed and cannot be written")
        }
        guard var row = snapshot.tables[className]!.rows[ref] else {
            throw XenAPIError.handleInvalid(className: className, handle: ref)
        }
        let old = row.values[index]
        if index == schema.uuidIndex, old != value, case .string(let newUUID) = value, !newUUID.isEmpty,
            snapshot.tables[className]!.byUUID[newUUID] != nil
        {
            throw XenAPIError.internalError(message: "a \(className) with uuid \(newUUID) already exists")
        }
        row.values[index] = value
        row.modified = generation
        snapshot.tables[className]!.rows[ref] = row
        snapshot.tables[className]!.lastChanged = generation
        if index == schema.uuidIndex, old != value {
            if case .string(let oldUUID) = old { snapshot.tables[className]!.byUUID[oldUUID] = nil }
            if case .string(let newUUID) = value, !newUUID.isEmpty { snapshot.tables[className]!.byUUID[newUUID] = ref }
        }
        if let end = schema.oneSide[index], old != value {
            let (before, after) = (Self.targets(old), Self.targets(value))
            for target in before where !after.contains(target) { removeFromSet(end.manyClass, target, end.manyIndex, ref) }
            for target in after where !before.contains(target) { addToSet(end.manyClass, target, end.manyIndex, ref) }
        }
        changes.append(.set(className: className, ref: ref, field: field, value: value))
    }

    /// Deletes an object; it is reported as `del` to event listeners that saw it before.
    public mutating func delete(_ className: String, ref: String) throws(XenAPIError) {
        let schema = try classSchema(className)
        guard let row = snapshot.tables[className]!.rows.removeValue(forKey: ref) else {
            throw XenAPIError.handleInvalid(className: className, handle: ref)
        }
        if let uuidIndex = schema.uuidIndex, case .string(let uuid) = row.values[uuidIndex] {
            snapshot.tables[className]!.byUUID[uuid] = nil
        }
        snapshot.tables[className]!.lastChanged = generation
        for (index, end) in schema.oneSide {
            for target in Self.targets(row.values[index]) { removeFromSet(end.manyClass, target, end.manyIndex, ref) }
        }
        if schema.model.generatesEvents {
            snapshot.tombstones.append(Tombstone(className: className, ref: ref, created: row.created, deleted: generation))
        }
        changes.append(.delete(className: className, ref: ref))
    }

    /// Marks an object changed without changing it (`event.inject`).
    public mutating func touch(_ className: String, ref: String) throws(XenAPIError) {
        guard var row = snapshot.tables[className]?.rows[ref] else {
            throw XenAPIError.handleInvalid(className: className, handle: ref)
        }
        row.modified = generation
        snapshot.tables[className]!.rows[ref] = row
        snapshot.tables[className]!.lastChanged = generation
        touched = true
    }

    /// Replays one journalled change (loading from disk).
    mutating func apply(_ change: JournalChange) throws(XenAPIError) {
        switch change {
        case .insert(let className, let ref, let fields):
            guard let schema = snapshot.schema[className] else { return }
            var coerced: [String: RPCValue] = [:]
            for field in schema.fields {
                guard let value = fields[field.name] else { continue }
                coerced[field.name] = (try? ValueCoercion.coerce(value, to: field.type, field: field.name))
                    ?? ValueCoercion.initialValue(for: field)
            }
            try insert(className, ref: ref, fields: coerced)
        case .set(let className, let ref, let field, let value):
            // A change the current model can no longer hold (a field dropped, retyped, or now
            // computed from a relation) is skipped, as a restored image drops such fields.
            guard let schema = snapshot.schema[className], let index = schema.fieldIndex[field],
                !schema.manySide.contains(index), snapshot.contains(className, ref),
                let coerced = try? ValueCoercion.coerce(value, to: schema.fields[index].type, field: field)
            else { return }
            try set(className, ref: ref, field: field, value: coerced)
        case .delete(let className, let ref):
            guard snapshot.contains(className, ref) else { return }
            try delete(className, ref: ref)
        }
    }

    var isEmpty: Bool { changes.isEmpty && !touched }

    /// The objects a relation's pointing field names: one reference, or a set of them (a VM's
    /// `groups`); duplicates once.
    static func targets(_ value: RPCValue) -> [String] {
        switch value {
        case .string(let target): [target]
        case .array(let members):
            members.reduce(into: [String]()) { found, member in
                if case .string(let target) = member, !found.contains(target) { found.append(target) }
            }
        default: []
        }
    }

    private mutating func addToSet(_ className: String, _ ref: String, _ index: Int, _ member: String) {
        guard var row = snapshot.tables[className]?.rows[ref], case .array(var members) = row.values[index] else { return }
        members.append(.string(member))
        row.values[index] = .array(members)
        row.modified = generation
        snapshot.tables[className]!.rows[ref] = row
        snapshot.tables[className]!.lastChanged = generation
    }

    private mutating func removeFromSet(_ className: String, _ ref: String, _ index: Int, _ member: String) {
        guard var row = snapshot.tables[className]?.rows[ref], case .array(var members) = row.values[index] else { return }
        members.removeAll { $0 == .string(member) }
        row.values[index] = .array(members)
        row.modified = generation
        snapshot.tables[className]!.rows[ref] = row
        snapshot.tables[className]!.lastChanged = generation
    }

    /// Recomputes the computed sets from the refs that point at them (after a bulk replacement).
    mutating func rebuildRelations() {
        SnapshotCoding.rebuildRelations(&snapshot)
    }

    /// Publishes the generation on the snapshot (called once, at commit).
    mutating func sealed() -> Snapshot {
        snapshot.generation = generation
        return snapshot
    }
}
