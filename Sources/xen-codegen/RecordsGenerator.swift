import XenAPIModel

/// Writes one file per served class: its record struct (typed fields with the model's defaults,
/// row and wire conversions) and its `Columns` table for typed database access; and one file of
/// phantom types for the classes the model only refers to.
enum RecordsGenerator {
    static func files(_ model: DataModel) -> [(String, String)] {
        let types = SwiftTypes(model: model)
        var files = model.classes.map { cls in
            ("Sources/XenAPI/Generated/Classes/\(Naming.typeName(cls.name)).swift", recordSource(cls, types))
        }
        files.append(("Sources/XenAPI/Generated/UnmodelledClasses.swift", unmodelledSource(model)))
        return files
    }

    private static func unmodelledSource(_ model: DataModel) -> String {
        var out = generatedHeader
        for name in model.unmodelledClasses.sorted() {
            out += "\n/// The class `\(name)`, which swift-xapi does not serve yet: refs to it are always null.\n"
            out += "public enum \(Naming.typeName(name)): XenClass {\n"
            out += "    public static let className = \(Naming.literal(name))\n}\n"
        }
        return out
    }

    private static func recordSource(_ cls: ClassModel, _ types: SwiftTypes) -> String {
        let typeName = Naming.typeName(cls.name)
        let fields = cls.fields.map { field in
            (field: field, name: Naming.identifier(field.name), type: types.swiftType(field.type),
             initial: types.initialValue(field))
        }
        var out = generatedHeader + "\npublic import XenRPC\n\n"
        out += "/// A `\(cls.name)` record: \(Naming.doc(cls.doc))\n"
        out += "public struct \(typeName): XenObject, Hashable {\n"
        out += "    public static let className = \(Naming.literal(cls.name))\n"
        for item in fields {
            out += "    /// \(Naming.doc(item.field.doc.isEmpty ? item.field.name : item.field.doc))\n"
            out += "    public var \(item.name): \(item.type)\n"
        }
        out += "\n    /// A record holding the datamodel's defaults.\n    public init() {\n"
        for item in fields { out += "        \(item.name) = \(item.initial)\n" }
        out += "    }\n\n    public init(row values: [RPCValue]) {\n"
        for (index, item) in fields.enumerated() {
            out += "        \(item.name) = Self.columns.\(item.name).decode(values[\(index)])\n"
        }
        out += "    }\n\n"
        out += "    /// Reads a wire record; fields it lacks keep their defaults.\n"
        out += "    public init(rpcValue record: RPCValue, field: String) throws(XenAPIError) {\n"
        out += "        guard record.structureValue != nil else { throw XenAPIError.fieldTypeError(field: field) }\n"
        for item in fields {
            out += "        \(item.name) = try Self.columns.\(item.name).member(of: record)\n"
        }
        out += "    }\n\n    public var rowValues: [RPCValue] {\n        [\n"
        for item in fields { out += "            \(item.name).rpcValue,\n" }
        out += "        ]\n    }\n\n"
        out += "    /// The wire record: every field, in model order.\n"
        out += "    public var rpcValue: RPCValue {\n"
        out += "        .structure(.init(uniqueKeys: Self.fieldNames, values: rowValues))\n    }\n\n"
        out += "    /// The wire names of the fields, in model order.\n"
        out += "    public static let fieldNames: [String] = [\n"
        for item in fields { out += "        \(Naming.literal(item.field.name)),\n" }
        out += "    ]\n}\n\n"
        out += "extension \(typeName) {\n"
        out += "    /// The columns of `\(cls.name)`, one per field, for typed database access (`\\.\(fields.first?.name ?? "uuid")`).\n"
        out += "    /// A class, so reading one column through `columns` copies no table.\n"
        out += "    public final class Columns: Sendable {\n"
        for (index, item) in fields.enumerated() {
            out += "        public let \(item.name) = Column<\(typeName), \(item.type)>(index: \(index), name: \(Naming.literal(item.field.name)), fallback: \(item.initial))\n"
        }
        out += "    }\n\n    public static let columns = Columns()\n}\n"
        return out
    }
}
