import XenAPI
import XenAPIModel
import XenDB
import XenRPC

/// Reads a value typed on the command line into the wire value a message takes: sizes with
/// units (`2GiB`), booleans as xe spells them, enums in any case, references by uuid, sets as
/// comma-separated lists.
struct CLIValueParsing {
    let snapshot: Snapshot
    let model: DataModel

    /// The wire value of `text` for a field or parameter of `type`; `field` names it in errors.
    func value(_ text: String, type: FieldType, field: String) throws(CLIFailure) -> RPCValue {
        switch type {
        case .string: return .string(text)
        case .int:
            guard let number = CLIValueParsing.integer(text) else { throw CLIFailure.message("Parameter \(field) must be an integer") }
            return .int(number)
        case .float:
            guard let number = Double(text) else { throw CLIFailure.message("Parameter \(field) must be a floating-point number") }
            return .double(number)
        case .bool:
            guard let flag = CLIValueParsing.boolean(text) else {
                throw CLIFailure.message("Parameter \(field) must be a boolean (true or false)")
            }
            return .bool(flag)
        case .datetime: return .dateTime(text)
        case .enumeration(let name):
            let values = model.enumeration(named: name)?.values ?? []
            guard let canonical = values.first(where: { $0.lowercased() == text.lowercased() }) else {
                throw invalid(field, text)
            }
            return .string(canonical)
        case .ref(let target):
            if text.isEmpty || text == "<not in database>" || text == "OpaqueRef:NULL" { return .string("OpaqueRef:NULL") }
            if text.hasPrefix("OpaqueRef:") { return .string(text) }
            guard let ref = snapshot.ref(target, uuid: text) else {
                throw CLIFailure.api(.uuidInvalid(className: target, uuid: text))
            }
            return .string(ref)
        case .set(let element):
            let parts = text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            var elements: [RPCValue] = []
            for part in parts { elements.append(try value(part.trimmingSpaces, type: element, field: field)) }
            return .array(elements)
        case .map, .record:
            throw CLIFailure.message("Field '\(field)' is a map or set. use the 'name:key=value' syntax.")
        }
    }

    private func invalid(_ field: String, _ text: String) -> CLIFailure {
        .api(XenAPIError(code: "INVALID_VALUE", parameters: [field, text]))
    }

    /// A number, optionally with xe's size units (`KiB`, `MiB`, `GiB`, `TiB`, or `K`, `M`, `G`, `T`).
    static func integer(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
            ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40),
        ]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let number = Int64(text.dropLast(suffix.count)) else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: factor)
            return overflow ? nil : product
        }
        return Int64(text)
    }

    /// xe's booleans: `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0`, in any case.
    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
        }
    }
}

extension String {
    /// Without leading and trailing spaces.
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
