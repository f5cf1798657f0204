public import XenRPC

/// A class of the datamodel as a Swift type: the phantom parameter of `Ref<T>`.
///
/// Served classes are their generated record structs (`VM`, `Task`); classes the datamodel only
/// refers to get an empty generated enum, so every ref in a signature names its class.
public protocol XenClass: Sendable {
    /// The wire spelling of the class (`VM`, `host`, `VM_guest_metrics`).
    static var className: String { get }
}

/// A reference to an object of class `T`, as it travels on the wire: `OpaqueRef:<uuid>`, or
/// `OpaqueRef:NULL`. The class is part of the type, so a host ref cannot be passed where a VM
/// ref is expected.
public struct Ref<T: XenClass>: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The wire form.
    public var rawValue: String

    /// Wraps a wire reference; nothing checks that it names an object of class `T`.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// `OpaqueRef:NULL`, the reference that points nowhere.
    public static var null: Ref<T> { Ref(OpaqueRef.null) }

    /// The reference for a new object made from a UUID.
    public static func opaque(_ uuid: String) -> Ref<T> { Ref("OpaqueRef:" + uuid) }

    /// Whether this is `OpaqueRef:NULL`.
    public var isNull: Bool { rawValue == OpaqueRef.null }

    public var description: String { rawValue }

    public static func < (lhs: Ref<T>, rhs: Ref<T>) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension Ref: XenValue {
    public init(rpcValue value: RPCValue, field: String) throws(XenAPIError) {
        guard case .string(let text) = value else { throw XenAPIError.fieldTypeError(field: field) }
        self.init(text)
    }

    public var rpcValue: RPCValue { .string(rawValue) }
}

extension Ref: XenMapKey {
    public init?(mapKey: String) { self.init(mapKey) }
    public var mapKey: String { rawValue }
}

/// Reference text for code that handles refs of any class (the generic implicit messages).
public enum OpaqueRef {
    /// `OpaqueRef:NULL`, the reference that points nowhere.
    public static let null = "OpaqueRef:NULL"
}
