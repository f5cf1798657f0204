import XenAPIModel

/// Wire name → message, built once at start-up from the datamodel plus the custom implementations.
public struct DispatchTable: Sendable {
    private var byWireName: [String: MessageDescriptor] = [:]
    /// `Class_message` spellings, which xapi also accepts for synchronous calls.
    private var byAlias: [String: MessageDescriptor] = [:]

    init(descriptors: [MessageDescriptor]) {
        for descriptor in descriptors {
            byWireName[descriptor.wireName] = descriptor
            byAlias["\(descriptor.className)_\(descriptor.name)"] = descriptor
        }
    }

    /// The message for a wire name, in either spelling.
    public func lookup(_ method: String, allowAlias: Bool) -> MessageDescriptor? {
        if let descriptor = byWireName[method] { return descriptor }
        return allowAlias ? byAlias[method] : nil
    }

    /// Every wire name, sorted (`system.listMethods`).
    public var wireNames: [String] { byWireName.keys.sorted() }
}
