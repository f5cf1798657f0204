public import XenAPI
public import XenAPIModel
import XenRPC

/// Where a call came in.
public enum CallOrigin: Sendable, Hashable {
    /// TCP (plain or TLS): credentials are checked.
    case network
    /// The host-local Unix socket: callers are pre-authenticated as the local superuser, as on
    /// XenServer's `/var/lib/xcp/xapi` (the Python SDK's `xapi_local()`).
    case localSocket
}

/// Who is calling and on whose behalf, handed to every message implementation.
public struct CallContext: Sendable {
    /// The caller's session (`OpaqueRef:NULL` for the login calls).
    public var session: Ref<Session>
    /// The task the call runs in when it was called as `Async.…`.
    public var task: Ref<Task>?
    /// The wire name of the message (`VM.get_record`).
    public var method: String
    public var origin: CallOrigin
}

/// Everything dispatch needs to know about one message, implicit or custom.
public struct MessageDescriptor: Sendable {
    public var className: String
    public var name: String
    /// Parameters after the session, in order, with their defaults.
    public var parameters: [Parameter]
    public var takesSession: Bool
    public var hasAsync: Bool
    /// Whether this custom message deliberately takes the place of the implicit one of the same name.
    public var replacesImplicit: Bool = false
    public var handler: MessageHandler<CallContext>

    /// `Class.message`.
    public var wireName: String { "\(className).\(name)" }

    /// How many parameters a caller must give (the trailing ones with defaults may be left out);
    /// xapi reports this number when the count is wrong (`count_mandatory_message_parameters`).
    var requiredCount: Int {
        var count = parameters.count
        while count > 0, parameters[count - 1].defaultValue != nil { count -= 1 }
        return count
    }
}
