public import XenAPIModel
public import XenDB

/// A class as `xe` presents it: its CLI name (`vm`, `sr`, `host-cpu`), its fields with xe's
/// names, and what its `-list` command shows by default.
public struct CLIClass: Sendable {
    /// The CLI name, the prefix of its commands.
    public var name: String
    /// The model class behind it (`VM` for `vm`, `template` and `snapshot`).
    public var model: ClassModel
    /// The fields in the order xe prints them, uuid first.
    public var fields: [CLIField]
    /// The columns `-list` prints without `params=`.
    public var listColumns: [String]
    /// Filters `-list` and selectors always apply (`is-a-template=false` for `vm`).
    public var impliedFilters: [(key: String, value: String)]

    /// The field with this CLI name.
    public func field(_ name: String) -> CLIField? { fields.first { $0.name == name } }

    /// The objects of this class that pass `filters` (`name-label=web`, `other-config:k=v`) and
    /// the implied ones, sorted as the snapshot sorts refs.
    public func refs(in snapshot: Snapshot, matching filters: [(key: String, value: String)]) -> [String] {
        let tests: [(CLIField, String?, String)] = (impliedFilters + filters).compactMap { filter in
            let (fieldName, key) = CLIClass.split(filter.key)
            guard let field = field(fieldName) else { return nil }
            return (field, key, filter.value)
        }
        return snapshot.refs(model.name).filter { ref in
            tests.allSatisfy { field, key, wanted in field.read(snapshot, ref).matches(wanted, key: key) }
        }
    }

    /// Whether `key` names a field (or a key of a map field, `other-config:folder`).
    public func accepts(_ key: String) -> Bool {
        let (name, mapKey) = CLIClass.split(key)
        guard let field = field(name) else { return false }
        return mapKey == nil || field.kind == .map
    }

    /// `other-config:folder` → (`other-config`, `folder`); a plain name has no key.
    static func split(_ key: String) -> (field: String, key: String?) {
        guard let colon = key.firstIndex(of: ":") else { return (key, nil) }
        return (String(key[..<colon]), String(key[key.index(after: colon)...]))
    }
}
