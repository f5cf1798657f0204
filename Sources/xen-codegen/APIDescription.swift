import Foundation
import XenAPIModel

/// Writes `api.json`: the API surface as reviewable data, so any change to it shows up in a diff.
enum APIDescription {
    static func json(_ model: DataModel) throws -> String {
        let document: [String: Any] = [
            "api_version": "\(model.apiVersionMajor).\(model.apiVersionMinor)",
            "classes": model.classes.map(describe),
            "enums": model.enums.sorted { $0.name < $1.name }.map { ["name": $0.name, "values": $0.values] },
            "errors": model.errors.sorted { $0.code < $1.code }.map {
                ["code": $0.code, "parameters": $0.parameters, "doc": $0.doc] as [String: Any]
            },
            "relations": model.relations.map {
                ["one": "\($0.oneClass).\($0.oneField)", "many": "\($0.manyClass).\($0.manyField)"]
            },
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func describe(_ cls: ClassModel) -> [String: Any] {
        [
            "name": cls.name,
            "doc": cls.doc,
            "implicit_constructor": cls.hasImplicitConstructor,
            "get_all": cls.exposesGetAll,
            "persisted": cls.persisted,
            "events": cls.generatesEvents,
            "fields": cls.fields.map { field -> [String: Any] in
                var entry: [String: Any] = [
                    "name": field.name, "type": field.type.description, "qualifier": field.qualifier.rawValue,
                    "lifecycle": field.lifecycle.rawValue, "column": field.columnName, "doc": field.doc,
                ]
                if let value = field.defaultValue { entry["default"] = MarkdownReference.render(value) }
                return entry
            },
            "messages": cls.messages.map { message -> [String: Any] in
                [
                    "name": message.name,
                    "parameters": message.parameters.map { parameter -> [String: Any] in
                        var entry: [String: Any] = ["name": parameter.name, "type": parameter.type.description]
                        if let value = parameter.defaultValue { entry["default"] = MarkdownReference.render(value) }
                        return entry
                    },
                    "result": message.result?.description ?? "void",
                    "errors": message.errors.map(\.code),
                    "role": message.role.rawValue,
                    "async": message.hasAsync,
                    "session": message.takesSession,
                    "doc": message.doc,
                ]
            },
        ]
    }
}
