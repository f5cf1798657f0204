import XenAPIModel

/// Writes `XenAPIError` constructors, one per datamodel error, with the documented arguments.
enum ErrorsGenerator {
    static func source(_ model: DataModel) -> String {
        var out = generatedHeader + "\nextension XenAPIError {\n"
        for error in model.errors.sorted(by: { $0.code < $1.code }) {
            let labels = error.parameters.map { Naming.parameterName($0) }
            let signature = labels.map { "\($0): String" }.joined(separator: ", ")
            out += "    /// `\(error.code)`: \(Naming.doc(error.doc))\n"
            out += "    public static func \(Naming.identifier(error.code))(\(signature)) -> XenAPIError {\n"
            out += "        XenAPIError(code: \(Naming.literal(error.code)), parameters: [\(labels.joined(separator: ", "))])\n"
            out += "    }\n\n"
        }
        out += "    /// Every error code the datamodel declares.\n"
        out += "    public static let declaredCodes: Set<String> = [\n"
        for error in model.errors.sorted(by: { $0.code < $1.code }) { out += "        \(Naming.literal(error.code)),\n" }
        out += "    ]\n}\n"
        return out
    }
}
