import XenAPI
import XenAPIModel

/// Wire name → message, built once at start-up from the datamodel plus the custom implementations.
public struct DispatchTable: Sendable {
    private var byWireName: [String: MessageDescriptor] = [:]
    /// `Class_message` spellings, which xapi also accepts for synchronous calls.
    private var byAlias: [String: MessageDescriptor] = [:]

    /// Joins the implicit and custom messages; a custom message with the name of an implicit one
    /// is refused unless the model says it replaces it, so nothing is shadowed by accident.
    init(implicit: [MessageDescriptor], custom: [MessageDescriptor]) throws(XenAPIError) {
        for descriptor in implicit { byWireName[descriptor.wireName] = descriptor }
        for descriptor in custom {
            if byWireName[descriptor.wireName] != nil, !descriptor.replacesImplicit {
                throw XenAPIError.internalError(
                    message: "\(descriptor.wireName) is both implicit and custom; the model must say it replaces the implicit one")
            }
            byWireName[descriptor.wireName] = descriptor
        }
        for descriptor in byWireName.values { byAlias["\(descriptor.className)_\(descriptor.name)"] = descriptor }
    }

    /// The message for a wire name, in either spelling.
    public func lookup(_ method: String, allowAlias: Bool) -> MessageDescriptor? {
        if let descriptor = byWireName[method] { return descriptor }
        return allowAlias ? byAlias[method] : nil
    }

    /// Every wire name, sorted (`system.listMethods`).
    public var wireNames: [String] { byWireName.keys.sorted() }
}
