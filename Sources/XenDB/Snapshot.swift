public import Collections
public import XenRPC

/// One object: field values in schema order, and the generations that created and last changed it.
public struct Row: Sendable, Hashable {
    public var values: [RPCValue]
    public var created: Int64
    public var modified: Int64
}

/// A deleted object, kept for a while so `event.from` can report `del`.
public struct Tombstone: Sendable, Hashable {
    public var className: String
    public var ref: String
    public var created: Int64
    public var deleted: Int64

    public init(className: String, ref: String, created: Int64, deleted: Int64) {
        self.className = className
        self.ref = ref
        self.created = created
        self.deleted = deleted
    }
}

/// All rows of one class.
public struct Table: Sendable {
    public var rows: TreeDictionary<String, Row> = [:]
    /// uuid → ref.
    public var byUUID: TreeDictionary<String, String> = [:]
    /// The newest generation at which anything in this table was created, changed or deleted.
    public var lastChanged: Int64 = 0
}

/// An immutable view of the whole pool database at one generation.
///
/// A value: readers keep it as long as they like while writers publish newer ones.
public struct Snapshot: Sendable {
    public let schema: DatabaseSchema
    public internal(set) var generation: Int64
    public internal(set) var tables: [String: Table]
    public internal(set) var tombstones: TombstoneLog

    init(schema: DatabaseSchema) {
        self.schema = schema
        self.generation = 0
        self.tables = Dictionary(uniqueKeysWithValues: schema.classNames.map { ($0, Table()) })
        self.tombstones = TombstoneLog()
    }

    /// The row of `ref` in class `className`, if it exists.
    public func row(_ className: String, _ ref: String) -> Row? { tables[className]?.rows[ref] }

    /// Whether the object exists.
    public func contains(_ className: String, _ ref: String) -> Bool { tables[className]?.rows[ref] != nil }

    /// The ref of the object with this uuid.
    public func ref(_ className: String, uuid: String) -> String? { tables[className]?.byUUID[uuid] }

    /// One field of an object.
    public func value(_ className: String, _ ref: String, _ field: String) -> RPCValue? {
        guard let index = schema[className]?.fieldIndex[field], let row = row(className, ref) else { return nil }
        return row.values[index]
    }

    /// Refs of every object of the class, sorted so results are deterministic.
    public func refs(_ className: String) -> [String] {
        (tables[className]?.rows.keys).map { $0.sorted() } ?? []
    }

    /// Number of objects of the class.
    public func count(_ className: String) -> Int { tables[className]?.rows.count ?? 0 }

    /// The full record of an object as a wire struct, every field included.
    public func record(_ className: String, _ ref: String) -> RPCValue? {
        guard let schema = schema[className], let row = row(className, ref) else { return nil }
        return Snapshot.record(schema: schema, row: row)
    }

    static func record(schema: ClassSchema, row: Row) -> RPCValue {
        .record(RecordFields(layout: schema.layout, values: row.values))
    }

    /// Every object of the class as `ref → record`, sorted by ref.
    public func allRecords(_ className: String, where predicate: ((Row) -> Bool)? = nil) -> RPCValue {
        guard let schema = schema[className], let table = tables[className] else { return .emptyStructure }
        var members = OrderedDictionary<String, RPCValue>(minimumCapacity: table.rows.count)
        for ref in table.rows.keys.sorted() {
            let row = table.rows[ref]!
            if let predicate, !predicate(row) { continue }
            members[ref] = Snapshot.record(schema: schema, row: row)
        }
        return .structure(members)
    }
}
