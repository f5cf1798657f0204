public import XenAPIModel
public import XenRPC

/// How one class is laid out in the database: field order, indexes, and its relation ends.
public struct ClassSchema: Sendable {
    public let model: ClassModel
    /// Wire field name → position in a row's values.
    public let fieldIndex: [String: Int]
    /// Database column name (`name__label`) → position.
    public let columnIndex: [String: Int]
    /// Position of `uuid`, when the class has one.
    public let uuidIndex: Int?
    /// Position of `name_label`, when the class has one.
    public let nameLabelIndex: Int?
    /// Ref fields at this end of a relation: position → (class holding the set, position of the set there).
    public let oneSide: [Int: (manyClass: String, manyIndex: Int)]
    /// Positions of computed set fields (the "many" ends), which have no setter.
    public let manySide: Set<Int>
    /// The field names as one shared layout, so a record is built from a row without copying.
    public let layout: RecordLayout

    public var name: String { model.name }
    public var fields: [Field] { model.fields }
}

/// The database layout derived from the datamodel.
public struct DatabaseSchema: Sendable {
    public let classes: [String: ClassSchema]
    /// Lower-cased class name → wire spelling, for event subscriptions (`vm` → `VM`).
    public let byLowercasedName: [String: String]
    /// Class names in model order.
    public let classNames: [String]

    public init(model: DataModel) {
        var oneSide: [String: [Int: (String, Int)]] = [:]
        var manySide: [String: Set<Int>] = [:]
        let indexOf = { (cls: String, field: String) -> Int? in
            model.class(named: cls)?.fields.firstIndex { $0.name == field }
        }
        for relation in model.relations {
            guard let one = indexOf(relation.oneClass, relation.oneField),
                let many = indexOf(relation.manyClass, relation.manyField)
            else { continue }
            oneSide[relation.oneClass, default: [:]][one] = (relation.manyClass, many)
            manySide[relation.manyClass, default: []].insert(many)
        }
        var classes: [String: ClassSchema] = [:]
        for cls in model.classes {
            var fieldIndex: [String: Int] = [:]
            var columnIndex: [String: Int] = [:]
            for (index, field) in cls.fields.enumerated() {
                fieldIndex[field.name] = index
                columnIndex[field.columnName] = index
            }
            classes[cls.name] = ClassSchema(
                model: cls, fieldIndex: fieldIndex, columnIndex: columnIndex, uuidIndex: fieldIndex["uuid"],
                nameLabelIndex: fieldIndex["name_label"],
                oneSide: (oneSide[cls.name] ?? [:]).mapValues { (manyClass: $0.0, manyIndex: $0.1) },
                manySide: manySide[cls.name] ?? [], layout: RecordLayout(names: cls.fields.map(\.name)))
        }
        self.classes = classes
        self.classNames = model.classes.map(\.name)
        self.byLowercasedName = Dictionary(uniqueKeysWithValues: model.classes.map { ($0.name.lowercased(), $0.name) })
    }

    /// The schema of a class by wire name.
    public subscript(name: String) -> ClassSchema? { classes[name] }
}
