import XenAPIModel

/// Writes one Swift enum per datamodel enum, raw values in the canonical wire spelling.
enum EnumsGenerator {
    static func source(_ model: DataModel) -> String {
        let types = SwiftTypes(model: model)
        var out = generatedHeader
        for enumeration in model.enums.sorted(by: { $0.name < $1.name }) {
            out += "\n/// The datamodel enum `\(enumeration.name)`.\n"
            out += "public enum \(Naming.typeName(enumeration.name)): String, ModelEnumeration {\n"
            let names = types.caseNames(enumeration.name)
            for value in enumeration.values {
                out += "    case \(names[value] ?? Naming.identifier(value)) = \(Naming.literal(value))\n"
            }
            out += "}\n"
        }
        return out
    }
}
