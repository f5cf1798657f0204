public import XenAPI
import XenRPC

/// One object of a snapshot, read field by field through its class's columns:
/// `snapshot[vm]?.powerState`. Reading decodes only the field asked for.
@dynamicMemberLookup
public struct ObjectView<T: XenObject>: Sendable {
    public let ref: Ref<T>
    let row: Row

    public subscript<V>(dynamicMember key: ColumnKey<T, V>) -> V {
        let column = T.columns[keyPath: key]
        return column.decode(row.values[column.index])
    }

    /// The whole record.
    public var record: T { T(row: row.values) }
}

/// The fields of one object being changed inside `Transaction.update`: assignments are
/// collected and written when the closure returns, each through the same path as any write
/// (relations, uuid index and journal kept right).
@dynamicMemberLookup
public struct ObjectEditor<T: XenObject> {
    public let ref: Ref<T>
    fileprivate var values: [RPCValue]
    fileprivate var changed: [Int] = []

    public subscript<V>(dynamicMember key: ColumnKey<T, V>) -> V {
        get {
            let column = T.columns[keyPath: key]
            return column.decode(values[column.index])
        }
        set {
            let column = T.columns[keyPath: key]
            values[column.index] = newValue.rpcValue
            if !changed.contains(column.index) { changed.append(column.index) }
        }
    }
}

extension Snapshot {
    /// The object, if it exists.
    public subscript<T: XenObject>(ref: Ref<T>) -> ObjectView<T>? {
        row(T.className, ref.rawValue).map { ObjectView(ref: ref, row: $0) }
    }

    /// Whether the object exists.
    public func contains<T: XenObject>(_ ref: Ref<T>) -> Bool { contains(T.className, ref.rawValue) }

    /// The whole record of the object, if it exists.
    public func record<T: XenObject>(_ ref: Ref<T>) -> T? { self[ref]?.record }

    /// Every object of the class, sorted by ref.
    public func objects<T: XenObject>(_ type: T.Type) -> [ObjectView<T>] {
        guard let table = tables[T.className] else { return [] }
        return table.rows.keys.sorted().map { ObjectView(ref: Ref($0), row: table.rows[$0]!) }
    }

    /// The refs of every object of the class, sorted.
    public func refs<T: XenObject>(_ type: T.Type) -> [Ref<T>] { refs(T.className).map(Ref.init) }

    /// The object with this uuid.
    public func ref<T: XenObject>(_ type: T.Type, uuid: String) -> Ref<T>? { ref(T.className, uuid: uuid).map(Ref.init) }

    /// The object, or `HANDLE_INVALID [class, ref]`.
    public func require<T: XenObject>(_ ref: Ref<T>) throws(XenAPIError) -> ObjectView<T> {
        guard let view = self[ref] else { throw XenAPIError.handleInvalid(className: T.className, handle: ref.rawValue) }
        return view
    }
}

extension Transaction {
    /// Creates an object from a whole record.
    public mutating func insert<T: XenObject>(_ ref: Ref<T>, _ record: T) throws(XenAPIError) {
        try insert(T.className, ref: ref.rawValue, values: record.rowValues)
    }

    /// Creates an object that starts from the datamodel's defaults and takes what `fill` sets.
    public mutating func insert<T: XenObject>(_ ref: Ref<T>, _ fill: (inout T) -> Void) throws(XenAPIError) {
        var record = T()
        fill(&record)
        try insert(ref, record)
    }

    /// Changes fields of an existing object: `try tx.update(task) { $0.status = .success }`.
    /// `HANDLE_INVALID` if it does not exist; nothing is written if `body` throws.
    public mutating func update<T: XenObject>(
        _ ref: Ref<T>, _ body: (inout ObjectEditor<T>) throws(XenAPIError) -> Void
    ) throws(XenAPIError) {
        let view = try snapshot.require(ref)
        var editor = ObjectEditor(ref: ref, values: view.row.values)
        try body(&editor)
        for index in editor.changed {
            try set(T.className, ref: ref.rawValue, index: index, value: editor.values[index])
        }
    }

    /// Changes one field of an existing object: `try tx.set(vm, \.powerState, .running)`.
    public mutating func set<T: XenObject, V>(_ ref: Ref<T>, _ key: ColumnKey<T, V>, _ value: V) throws(XenAPIError) {
        try set(T.className, ref: ref.rawValue, index: T.columns[keyPath: key].index, value: value.rpcValue)
    }

    /// Deletes an object.
    public mutating func delete<T: XenObject>(_ ref: Ref<T>) throws(XenAPIError) {
        try delete(T.className, ref: ref.rawValue)
    }
}
