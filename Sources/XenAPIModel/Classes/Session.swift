extension DataModel {
    /// The `session` class: an authenticated connection to the API.
    @_optimize(none)
    static func sessionClass() -> ClassModel {
        ClassModel(
            name: "session", doc: "A session: the authenticated context in which API calls are made.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                field("this_host", .ref("host"), doc: "The host this session is connected to"),
                field("this_user", .ref("user"), doc: "The user this session belongs to (null for local root)"),
                field("last_active", .datetime, doc: "When the session was last used"),
                field("pool", .bool, doc: "True for an intra-pool (host-to-host) login, false for a client login"),
                field("other_config", .stringMap, .readWrite, default: .emptyMap, doc: "Additional configuration"),
                field(
                    "is_local_superuser", .bool, default: .bool(false),
                    doc: "True when the session was authenticated as the local superuser"),
                field(
                    "subject", .ref("subject"), default: .nullRef,
                    doc: "The external-authentication subject that authenticated this session, if any"),
                field(
                    "validation_time", .datetime, default: .epoch,
                    doc: "When the external-authentication credentials were last validated"),
                field(
                    "auth_user_sid", .string, default: .string(""),
                    doc: "The external subject identifier of the user"),
                field("auth_user_name", .string, default: .string(""), doc: "The name of the authenticated user"),
                field(
                    "rbac_permissions", .stringSet, .staticReadOnly, default: .emptySet,
                    doc: "The RBAC permissions granted to this session"),
                field("tasks", .set(.ref("task")), doc: "Tasks created in this session"),
                field(
                    "parent", .ref("session"), .staticReadOnly, default: .nullRef,
                    doc: "The session that created this one, if any"),
                field(
                    "originator", .string, default: .string(""),
                    doc: "A name the client gave for itself at login, used for session accounting"),
                field(
                    "client_certificate", .bool, default: .bool(false),
                    doc: "True when the client authenticated with a TLS client certificate"),
            ],
            messages: [
                message(
                    "login_with_password",
                    [
                        param("uname", .string, doc: "The user name"),
                        param("pwd", .string, doc: "The password"),
                        param("version", .string, doc: "The client's API version (ignored)", default: .string("1.1")),
                        param(
                            "originator", .string, doc: "A name identifying the client, for session accounting",
                            default: .string("")),
                    ],
                    result: .ref("session"),
                    doc: "Log in with a user name and password and return a new session reference.",
                    errors: [.sessionAuthenticationFailed, .hostIsSlave],
                    role: .readOnly, async: false, session: false, secret: ["pwd"]),
                message(
                    "logout",
                    doc: "Log out of the calling session, destroying it.",
                    role: .readOnly, async: false),
                message(
                    "local_logout",
                    doc: "Log out of a session that was created by a local (host-only) login.",
                    role: .readOnly, async: false),
                message(
                    "change_password",
                    [
                        param("old_pwd", .string, doc: "The current password"),
                        param("new_pwd", .string, doc: "The new password"),
                    ],
                    doc: "Change the password of the account the calling session is logged in as.",
                    errors: [.sessionAuthenticationFailed, .permissionDenied],
                    role: .readOnly, async: false, secret: ["old_pwd", "new_pwd"]),
            ],
            hasImplicitConstructor: false, exposesGetAll: false, persisted: false, generatesEvents: false)
    }
}
