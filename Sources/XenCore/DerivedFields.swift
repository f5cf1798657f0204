import XenAPI
import XenDB

/// Fields the toolstack derives from others (xapi's `update_allowed_operations`), brought up to
/// date in the same write that creates an object, so they are true from the first moment.
enum DerivedFields {
    /// Class name → what to derive for a new object of that class.
    static let afterInsert: [String: @Sendable (inout Transaction, String) throws(XenAPIError) -> Void] = [
        VM.className: { tx, ref throws(XenAPIError) in try VMMessages.refreshAllowedOperations(&tx, Ref(ref)) }
    ]
}
