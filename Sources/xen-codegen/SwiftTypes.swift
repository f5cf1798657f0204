import XenAPIModel

/// How datamodel types and values become Swift types and literals in the generated layer.
struct SwiftTypes {
    let model: DataModel

    /// Datamodel types whose wire form is special (event records carry whole records in a
    /// field the model calls a string map), kept as `RPCValue` in Swift.
    private func isSpecial(_ type: FieldType) -> Bool {
        switch type {
        case .record(let name): name == "event"
        case .set(let element): isSpecial(element)
        case .map(let key, let value): isSpecial(key) || isSpecial(value)
        default: false
        }
    }

    /// Messages whose result the model types loosely because xapi encodes it specially:
    /// `event.from` answers `{events, valid_ref_counts, token}` where the model says a string map.
    private static let speciallyEncodedResults: Set<String> = ["event.from"]

    /// The Swift type of a message's result.
    func resultType(_ cls: ClassModel, _ message: MessageModel) -> String? {
        guard let result = message.result else { return nil }
        return Self.speciallyEncodedResults.contains("\(cls.name).\(message.name)") ? "RPCValue" : swiftType(result)
    }

    /// The Swift type of a datamodel type.
    func swiftType(_ type: FieldType) -> String {
        if isSpecial(type) { return "RPCValue" }
        switch type {
        case .string: return "String"
        case .int: return "Int64"
        case .float: return "Double"
        case .bool: return "Bool"
        case .datetime: return "DateTime"
        case .enumeration(let name): return Naming.typeName(name)
        case .ref(let name): return "Ref<\(Naming.typeName(name))>"
        case .set(let element): return "[\(swiftType(element))]"
        case .map(let key, let value): return "[\(swiftType(key)): \(swiftType(value))]"
        case .record(let name): return Naming.typeName(name)
        }
    }

    /// The Swift case name of each value of an enum (keywords escaped, clashes suffixed with `_`).
    func caseNames(_ enumName: String) -> [String: String] {
        guard let enumeration = model.enumeration(named: enumName) else { return [:] }
        var used: Set<String> = []
        var result: [String: String] = [:]
        for value in enumeration.values {
            var name = Naming.identifier(value)
            while used.contains(name) { name += "_" }
            used.insert(name)
            result[value] = name
        }
        return result
    }

    /// A Swift expression for a field's initial value: its model default, else the type's empty value.
    func initialValue(_ field: Field) -> String {
        if let value = field.defaultValue { return literal(value, type: field.type) }
        return emptyValue(field.type)
    }

    /// The type's empty value: `""`, `0`, `false`, the epoch, the first enum case, a null ref, `[]`, `[:]`.
    func emptyValue(_ type: FieldType) -> String {
        if isSpecial(type) { return ".nil" }
        switch type {
        case .string: return "\"\""
        case .int: return "0"
        case .float: return "0.0"
        case .bool: return "false"
        case .datetime: return ".epoch"
        case .enumeration(let name):
            let first = model.enumeration(named: name)?.values.first ?? ""
            return "." + (caseNames(name)[first] ?? "_")
        case .ref: return ".null"
        case .set: return "[]"
        case .map: return "[:]"
        case .record(let name): return "\(Naming.typeName(name))()"
        }
    }

    /// A datamodel value as a Swift literal of `type`.
    func literal(_ value: ModelValue, type: FieldType) -> String {
        switch value {
        case .string(let text): return Naming.literal(text)
        case .int(let number): return type == .float ? "\(Double(number))" : "\(number)"
        case .float(let number): return "\(number)"
        case .bool(let flag): return flag ? "true" : "false"
        case .datetime(let text):
            return text == "19700101T00:00:00Z" ? ".epoch" : "(DateTime(wire: \(Naming.literal(text))) ?? .epoch)"
        case .enumeration(let name):
            guard case .enumeration(let enumName) = type else { return Naming.literal(name) }
            return "." + (caseNames(enumName)[name] ?? Naming.identifier(name))
        case .nullRef: return ".null"
        case .set(let elements):
            guard case .set(let element) = type else { return "[]" }
            return "[" + elements.map { literal($0, type: element) }.joined(separator: ", ") + "]"
        case .map(let pairs):
            guard case .map(let key, let valueType) = type, !pairs.isEmpty else { return "[:]" }
            return "[" + pairs.map { "\(literal($0.0, type: key)): \(literal($0.1, type: valueType))" }
                .joined(separator: ", ") + "]"
        }
    }
}
