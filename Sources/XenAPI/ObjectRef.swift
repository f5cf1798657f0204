/// An object reference as it travels on the wire: `OpaqueRef:<uuid>`, or `OpaqueRef:NULL`.
public struct ObjectRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// `OpaqueRef:NULL`, the reference that points nowhere.
    public static let null = ObjectRef("OpaqueRef:NULL")

    /// A reference for a new object from a UUID.
    public static func opaque(_ uuid: String) -> ObjectRef { ObjectRef("OpaqueRef:" + uuid) }

    public var isNull: Bool { rawValue == ObjectRef.null.rawValue }

    public var description: String { rawValue }

    public static func < (lhs: ObjectRef, rhs: ObjectRef) -> Bool { lhs.rawValue < rhs.rawValue }
}
