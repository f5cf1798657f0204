import XenAPI
import XenDB

/// What an `event.from`/`event.register` caller listens to: everything, whole classes, or single objects.
struct EventSubscription: Sendable, Hashable {
    var everything = false
    /// Wire class names (unknown names are accepted and never match, as in xapi).
    var classes: Set<String> = []
    /// Single objects: class → refs.
    var objects: [String: Set<String>] = [:]

    /// Parses `["*"]`, `["vm", "task/OpaqueRef:…"]` (class names case-insensitive).
    init(_ entries: [String], schema: DatabaseSchema) throws(XenAPIError) {
        for entry in entries {
            if entry == "*" {
                everything = true
                continue
            }
            let parts = entry.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let name = parts.first, !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
            else { throw XenAPIError.eventSubscriptionParseFailure(subscription: entry) }
            let className = schema.byLowercasedName[name.lowercased()] ?? name
            if parts.count == 2 {
                guard !parts[1].isEmpty else { throw XenAPIError.eventSubscriptionParseFailure(subscription: entry) }
                objects[className, default: []].insert(parts[1])
            } else {
                classes.insert(className)
            }
        }
    }

    mutating func remove(_ other: EventSubscription) {
        if other.everything { everything = false }
        classes.subtract(other.classes)
        for (className, refs) in other.objects {
            objects[className]?.subtract(refs)
            if objects[className]?.isEmpty == true { objects[className] = nil }
        }
    }

    mutating func add(_ other: EventSubscription) {
        everything = everything || other.everything
        classes.formUnion(other.classes)
        for (className, refs) in other.objects { objects[className, default: []].formUnion(refs) }
    }

    /// Whether anything of this class could match.
    func covers(_ className: String) -> Bool {
        everything || classes.contains(className) || objects[className] != nil
    }

    func matches(_ className: String, _ ref: String) -> Bool {
        everything || classes.contains(className) || objects[className]?.contains(ref) == true
    }
}
