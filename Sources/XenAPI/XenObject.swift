public import XenRPC

/// A served class's record: every field typed, defaults from the datamodel, convertible to and
/// from a database row (fields in model order) and the wire record (a struct keyed by field name).
public protocol XenObject: XenClass, XenValue {
    /// The generated table of the class's columns, for typed database access.
    associatedtype Columns: Sendable
    static var columns: Columns { get }
    /// A record holding the datamodel's defaults (the type's empty value where there is none).
    init()
    /// Reads a row: one value per field, in model order, already canonical.
    init(row values: [RPCValue])
    /// The row: one canonical value per field, in model order.
    var rowValues: [RPCValue] { get }
}

/// One field of class `Object`, holding Swift values of type `Value`: its position in a row
/// and its wire name. The generated `Columns` of each class holds one per field.
public struct Column<Object: XenObject, Value: XenValue>: Sendable {
    /// The position of the field in a row (model order).
    public let index: Int
    /// The wire name of the field.
    public let name: String
    /// What a read answers should the stored value not be of the field's type (it always is:
    /// every write path checks), so a read never traps.
    public let fallback: Value

    public init(index: Int, name: String, fallback: Value) {
        self.index = index
        self.name = name
        self.fallback = fallback
    }

    /// The Swift value of a stored (canonical) value.
    public func decode(_ stored: RPCValue) -> Value {
        (try? Value(rpcValue: stored, field: name)) ?? fallback
    }

    /// The field's value in a wire record; a record that lacks the field (a server of another
    /// version) gives the fallback, a wrongly typed one fails.
    public func member(of record: RPCValue) throws(XenAPIError) -> Value {
        guard let member = record[name] else { return fallback }
        return try Value(rpcValue: member, field: name)
    }
}

/// A key path to one column of a class, the way typed code names a field:
/// `\.powerState` for `VM.columns.powerState`.
public typealias ColumnKey<Object: XenObject, Value: XenValue> = KeyPath<Object.Columns, Column<Object, Value>>
