public import XenAPIModel
public import XenDB
import XenRPC

/// One field of an `xe` record: its CLI name, whether it can be set, and how its value is read.
public struct CLIField: Sendable {
    /// The shape of the value, which sets the qualifier's first letter (`M` maps, `S` sets).
    public enum Kind: Sendable { case scalar, map, set }

    /// The name xe spells (`name-label`, `power-state`, `vm-uuid`).
    public var name: String
    public var kind: Kind
    /// Whether `-param-set` (or, for maps and sets, `-param-add`/`-param-remove`) may change it.
    public var writable: Bool
    /// The XenAPI field behind it, `nil` for a field xe derives (`vm-name-label`).
    public var modelField: Field?
    /// Shown by `-param-list` only when asked for by name (xe's hidden fields).
    public var hidden: Bool
    /// Reads the value of one object (by ref) from a snapshot.
    public var read: @Sendable (Snapshot, String) -> CLIValue

    /// The qualifier xe prints after the name: ` ( RO)`, ` ( RW)`, ` (MRO)`, ` (SRW)`…
    public var tag: String {
        let access = writable ? "RW" : "RO"
        return switch kind {
        case .scalar: " ( \(access))"
        case .map: " (M\(access))"
        case .set: " (S\(access))"
        }
    }

    public init(
        name: String, kind: Kind, writable: Bool, modelField: Field? = nil, hidden: Bool = false,
        read: @escaping @Sendable (Snapshot, String) -> CLIValue
    ) {
        self.name = name
        self.kind = kind
        self.writable = writable
        self.modelField = modelField
        self.hidden = hidden
        self.read = read
    }

    /// The field xe derives from a model field of `className`: references shown as uuids,
    /// maps and sets as such; `writable` says whether the model lets it be set.
    static func model(_ field: Field, of className: String, name: String, writable: Bool, hidden: Bool = false) -> CLIField {
        let type = field.type
        let kind: Kind =
            switch type {
            case .map: .map
            case .set: .set
            default: .scalar
            }
        return CLIField(name: name, kind: kind, writable: writable, modelField: field, hidden: hidden) { snapshot, ref in
            guard let value = snapshot.value(className, ref, field.name) else { return .text("<not in database>") }
            let shown = CLIValue.of(value, type: type, in: snapshot)
            if field.name == "tags", case .set(let elements) = shown { return .commaSet(elements) }
            return shown
        }
    }

    /// A field xe computes from a reference: the referenced object's `field` (`vm-name-label`).
    static func through(
        _ refField: String, of className: String, to target: String, field: String, name: String, kind: Kind = .scalar
    ) -> CLIField {
        CLIField(name: name, kind: kind, writable: false) { snapshot, ref in
            guard let other = snapshot.value(className, ref, refField)?.stringValue,
                let value = snapshot.value(target, other, field),
                let type = snapshot.schema[target]?.model.field(named: field)?.type
            else { return kind == .map ? .map([]) : .text("<not in database>") }
            return CLIValue.of(value, type: type, in: snapshot)
        }
    }
}

extension CLIValue {
    /// A stored value of a field of type `type` as xe shows it.
    static func of(_ value: RPCValue, type: FieldType, in snapshot: Snapshot) -> CLIValue {
        switch type {
        case .map(let keyType, let valueType):
            guard let members = value.structureValue else { return .map([]) }
            return .map(members.map { (key: text(of: .string($0.key), type: keyType, in: snapshot), value: text(of: $0.value, type: valueType, in: snapshot)) })
        case .set(let element):
            return .set((value.arrayValue ?? []).map { text(of: $0, type: element, in: snapshot) })
        default:
            return .text(text(of: value, type: type, in: snapshot))
        }
    }

    /// One scalar as xe prints it: references as the object's uuid, power states in lower case,
    /// floats with three decimals.
    static func text(of value: RPCValue, type: FieldType, in snapshot: Snapshot) -> String {
        if case .ref(let target) = type {
            guard let ref = value.stringValue, let uuid = snapshot.value(target, ref, "uuid")?.stringValue else {
                return "<not in database>"
            }
            return uuid
        }
        // Enums print as the datamodel spells them, but power states in lower case (`halted`).
        if case .enumeration("vm_power_state") = type, let text = value.stringValue { return text.lowercased() }
        switch value {
        case .string(let text), .dateTime(let text), .base64(let text): return text
        case .int(let number): return String(number)
        case .int32(let number): return String(number)
        case .double(let number): return formatFloat(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .nil: return ""
        case .array, .structure, .record: return CLIValue.of(value, type: .set(.string), in: snapshot).rendered
        }
    }

    /// xe prints floats as OCaml's `%.3f` would.
    static func formatFloat(_ number: Double) -> String {
        guard number.isFinite else { return number.isNaN ? "nan" : (number < 0 ? "-inf" : "inf") }
        let scaled = (number * 1000).rounded()
        let negative = scaled < 0
        let magnitude = Int64(abs(scaled))
        let fraction = String(magnitude % 1000)
        return (negative ? "-" : "") + String(magnitude / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
