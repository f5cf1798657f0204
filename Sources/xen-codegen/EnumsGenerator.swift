import XenAPIModel

/// Writes one Swift enum per datamodel enum, raw values in the canonical wire spelling.
enum EnumsGenerator {
    static func source(_ model: DataModel) -> String {
        var out = generatedHeader
        for enumeration in model.enums.sorted(by: { $0.name < $1.name }) {
            out += "\n/// The datamodel enum `\(enumeration.name)`.\n"
            out += "public enum \(Naming.typeName(enumeration.name)): String, ModelEnumeration {\n"
            var used: Set<String> = []
            for value in enumeration.values {
                var name = Naming.identifier(value)
                while used.contains(name) { name += "_" }
                used.insert(name)
                out += "    case \(name) = \(Naming.literal(value))\n"
            }
            out += "}\n"
        }
        return out
    }
}
