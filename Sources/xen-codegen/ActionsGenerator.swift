import XenAPIModel

/// Writes one `…Actions` protocol per class with custom messages, and the table that decodes
/// wire parameters into typed calls, so a missing implementation is a compile error.
enum ActionsGenerator {
    static func source(_ model: DataModel) -> String {
        var out = generatedHeader + "\npublic import XenRPC\n"
        for cls in model.classes where !cls.messages.isEmpty {
            out += protocolSource(cls)
        }
        return out
    }

    private static func swiftType(_ type: FieldType) -> String {
        switch type {
        case .string, .datetime: "String"
        case .int: "Int64"
        case .float: "Double"
        case .bool: "Bool"
        case .enumeration(let name): Naming.typeName(name)
        case .ref: "ObjectRef"
        case .set(.string): "[String]"
        case .map(.string, .string): "[String: String]"
        default: "RPCValue"
        }
    }

    private static func resultType(_ type: FieldType) -> String {
        switch type {
        case .set(.ref): "[ObjectRef]"
        case .map: "RPCValue"
        default: swiftType(type)
        }
    }

    private static func decodeExpression(_ parameter: Parameter, index: Int) -> String {
        let name = Naming.literal(parameter.name)
        switch parameter.type {
        case .string: return "p.string(\(index), \(name))"
        case .datetime: return "p.datetime(\(index), \(name))"
        case .int: return "p.int(\(index), \(name))"
        case .float: return "p.float(\(index), \(name))"
        case .bool: return "p.bool(\(index), \(name))"
        case .enumeration(let enumName): return "p.enumeration(\(index), \(name), as: \(Naming.typeName(enumName)).self)"
        case .ref: return "p.ref(\(index), \(name))"
        case .set(.string): return "p.stringSet(\(index), \(name))"
        case .map(.string, .string): return "p.stringMap(\(index), \(name))"
        default: return "p.raw(\(index), \(name))"
        }
    }

    private static func protocolSource(_ cls: ClassModel) -> String {
        let typeName = Naming.typeName(cls.name)
        var out = "\n/// The custom messages of `\(cls.name)`; implicit ones (getters, setters, CRUD) are derived.\n"
        out += "public protocol \(typeName)Actions: Sendable {\n"
        out += "    /// What each call receives: who is calling, on which session and task.\n"
        out += "    associatedtype Context: Sendable\n"
        for message in cls.messages {
            out += "\n    /// `\(cls.name).\(message.name)`: \(Naming.doc(message.doc))\n"
            var arguments = ["_ context: Context"]
            for parameter in message.parameters {
                arguments.append("\(Naming.parameterName(parameter.name)): \(swiftType(parameter.type))")
            }
            let result = message.result.map { " -> \(resultType($0))" } ?? ""
            out += "    func \(Naming.identifier(message.name))(\(arguments.joined(separator: ", "))) async throws\(result)\n"
        }
        out += "}\n\nextension \(typeName)Actions {\n"
        out += "    /// The wire handlers for `\(cls.name)`'s custom messages, keyed by message name.\n"
        out += "    public var \(Naming.memberName(cls.name))Handlers: [String: MessageHandler<Context>] {\n        [\n"
        for message in cls.messages {
            let arguments = message.parameters.enumerated().map { index, parameter in
                "\(Naming.parameterName(parameter.name)): \(decodeExpression(parameter, index: index))"
            }
            let call = "self.\(Naming.identifier(message.name))(\((["context"] + arguments).joined(separator: ", ")))"
            let usesParameters = !message.parameters.isEmpty
            out += "            \(Naming.literal(message.name)): { context, \(usesParameters ? "p" : "_") in\n"
            if message.result == nil {
                out += "                try await \(call)\n                return .string(\"\")\n"
            } else {
                out += "                try await \(call).rpcValue\n"
            }
            out += "            },\n"
        }
        out += "        ]\n    }\n}\n"
        return out
    }
}
