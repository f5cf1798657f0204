public import XenAPI
public import XenAPIModel
public import XenDB

/// Turns a XenAPI error into the lines xe prints: the error's documentation sentence, then one
/// `name: value` line per argument, references shown as `uuid (name-label)`.
public struct ErrorDocumentation: Sendable {
    let errors: [String: ErrorModel]
    let snapshot: Snapshot?

    public init(model: DataModel, snapshot: Snapshot?) {
        self.errors = Dictionary(model.errors.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        self.snapshot = snapshot
    }

    /// The lines for `error`; codes the model does not document get xe's generic form.
    public func lines(for error: XenAPIError) -> [String] {
        guard let model = errors[error.code] else {
            var lines = ["Error code: \(error.code)"]
            lines.append("Error parameters: " + error.parameters.map(describe).joined(separator: ", "))
            return lines
        }
        var lines = [model.doc]
        for (index, value) in error.parameters.enumerated() {
            let name = index < model.parameters.count ? model.parameters[index] : "param\(index)"
            lines.append("\(name): \(describe(value))")
        }
        return lines
    }

    /// A reference as `uuid (name-label)` (or just the uuid) when it names an object; else as given.
    private func describe(_ value: String) -> String {
        guard value.hasPrefix("OpaqueRef:"), let snapshot else { return value }
        for className in snapshot.schema.classNames where snapshot.contains(className, value) {
            guard let uuid = snapshot.value(className, value, "uuid")?.stringValue else { return value }
            if let name = snapshot.value(className, value, "name_label")?.stringValue {
                return "\(uuid) (\(name))"
            }
            return uuid
        }
        return value
    }
}
