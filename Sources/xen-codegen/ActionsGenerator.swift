import XenAPIModel

/// Writes one `…Actions` protocol per class with custom messages, the table that decodes wire
/// parameters into typed calls, and `CustomActions`, the one aggregate every server implements:
/// a class whose implementation is missing from it does not compile (xapi's `CUSTOM_ACTIONS`).
enum ActionsGenerator {
    static func source(_ model: DataModel) -> String {
        let types = SwiftTypes(model: model)
        var out = generatedHeader + "\npublic import XenRPC\n"
        let classes = model.classes.filter { !$0.messages.isEmpty }
        for cls in classes { out += protocolSource(cls, types) }
        out += aggregateSource(classes)
        return out
    }

    private static func protocolSource(_ cls: ClassModel, _ types: SwiftTypes) -> String {
        let typeName = Naming.typeName(cls.name)
        var out = "\n/// The custom messages of `\(cls.name)`; implicit ones (getters, setters, CRUD) are derived.\n"
        out += "public protocol \(typeName)Actions: Sendable {\n"
        out += "    /// What each call receives: who is calling, on which session and task.\n"
        out += "    associatedtype Context: Sendable\n"
        for message in cls.messages {
            out += "\n    /// `\(cls.name).\(message.name)`: \(Naming.doc(message.doc))\n"
            var arguments = ["_ context: Context"]
            for parameter in message.parameters {
                arguments.append("\(Naming.parameterName(parameter.name)): \(types.swiftType(parameter.type))")
            }
            let result = types.resultType(cls, message).map { " -> \($0)" } ?? ""
            out += "    func \(Naming.identifier(message.name))(\(arguments.joined(separator: ", "))) async throws\(result)\n"
        }
        out += "}\n\nextension \(typeName)Actions {\n"
        out += "    /// The wire handlers for `\(cls.name)`'s custom messages, keyed by message name.\n"
        out += "    public var handlers: [String: MessageHandler<Context>] {\n        [\n"
        for message in cls.messages {
            let arguments = message.parameters.enumerated().map { index, parameter in
                "\(Naming.parameterName(parameter.name)): p.decode(\(index), \(Naming.literal(parameter.name)))"
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

    private static func aggregateSource(_ classes: [ClassModel]) -> String {
        var out = "\n/// Every class's custom-message implementation, in one place: leaving one out is a compile\n"
        out += "/// error, so the server never advertises a message it cannot run.\n"
        out += "public protocol CustomActions: Sendable {\n"
        out += "    /// What each call receives.\n    associatedtype Context: Sendable\n"
        for cls in classes {
            let typeName = Naming.typeName(cls.name)
            out += "    associatedtype \(typeName)Implementation: \(typeName)Actions where \(typeName)Implementation.Context == Context\n"
            out += "    /// The implementation of `\(cls.name)`'s custom messages.\n"
            out += "    var \(Naming.memberName(cls.name)): \(typeName)Implementation { get }\n"
        }
        out += "}\n\nextension CustomActions {\n"
        out += "    /// Class name → message name → wire handler, for every custom message of the model.\n"
        out += "    public var handlersByClass: [String: [String: MessageHandler<Context>]] {\n        [\n"
        for cls in classes {
            out += "            \(Naming.literal(cls.name)): \(Naming.memberName(cls.name)).handlers,\n"
        }
        out += "        ]\n    }\n}\n"
        return out
    }
}
