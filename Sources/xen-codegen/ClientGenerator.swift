import XenAPIModel

/// Writes the typed client's calls: one struct per class with every implicit and custom message
/// (typed parameters and results) and an `async…` variant returning the task for each message
/// that has one; messages without a session (the logins) go on the connection.
enum ClientGenerator {
    static func files(_ model: DataModel) -> [(String, String)] {
        let types = SwiftTypes(model: model)
        return model.classes.map { cls in
            ("Sources/XenAPIClient/Generated/\(Naming.typeName(cls.name))Calls.swift", source(cls, model, types))
        }
    }

    private static func source(_ cls: ClassModel, _ model: DataModel, _ types: SwiftTypes) -> String {
        let typeName = Naming.typeName(cls.name)
        let customNames = Set(cls.messages.map(\.name))
        let implicit = model.implicitMessages(of: cls).map(\.message).filter { !customNames.contains($0.name) }
        let messages = implicit + cls.messages
        var out = generatedHeader + "\nimport XenAPI\nimport XenRPC\n\n"
        out += "/// The messages of `\(cls.name)`: \(Naming.doc(cls.doc))\n"
        out += "public struct \(typeName)Calls: Sendable {\n    public let session: XenAPISession\n\n"
        out += "    public init(session: XenAPISession) { self.session = session }\n"
        var sessionless: [MessageModel] = []
        for message in messages {
            guard message.takesSession else {
                sessionless.append(message)
                continue
            }
            out += method(cls, message, types, receiver: "session", async: false)
            if message.hasAsync { out += method(cls, message, types, receiver: "session", async: true) }
        }
        out += "}\n\nextension XenAPISession {\n"
        out += "    /// The messages of `\(cls.name)`, called on this session.\n"
        out += "    public var \(Naming.memberName(cls.name)): \(typeName)Calls { \(typeName)Calls(session: self) }\n}\n"
        if !sessionless.isEmpty {
            out += "\nextension XenAPIConnection {\n"
            for message in sessionless { out += method(cls, message, types, receiver: "self", async: false) }
            out += "}\n"
        }
        return out
    }

    private static func method(
        _ cls: ClassModel, _ message: MessageModel, _ types: SwiftTypes, receiver: String, async isAsync: Bool
    ) -> String {
        var arguments: [String] = []
        var values: [String] = []
        for (index, parameter) in message.parameters.enumerated() {
            let label = index == 0 && parameter.name == "self" ? "_ object" : Naming.parameterName(parameter.name)
            let defaultText = parameter.defaultValue.map { " = " + types.literal($0, type: parameter.type) } ?? ""
            arguments.append("\(label): \(types.swiftType(parameter.type))\(defaultText)")
            values.append("\(label.hasPrefix("_ ") ? String(label.dropFirst(2)) : label).rpcValue")
        }
        let wireName = (isAsync ? "Async." : "") + "\(cls.name).\(message.name)"
        let identifier = Naming.identifier(message.name)
        let name = isAsync ? "async" + identifier.prefix(1).uppercased() + identifier.dropFirst() : identifier
        let result = isAsync ? "Ref<Task>" : types.resultType(cls, message)
        var out = "\n    /// `\(wireName)`: \(Naming.doc(message.doc))"
        if isAsync { out += " Returns the task at once; `XenAPISession.result(of:)` awaits it." }
        out += "\n    public func \(name)(\(arguments.joined(separator: ", "))) async throws"
        let call = "\(receiver).invoke(\(Naming.literal(wireName)), [\(values.joined(separator: ", "))])"
        if let result {
            out += " -> \(result) {\n        try await \(call)\n    }\n"
        } else {
            out += " {\n        let _: RPCValue = try await \(call)\n    }\n"
        }
        return out
    }
}
