extension DataModel {
    /// The `event` class: a change notification delivered by `event.next` and `event.from`.
    @_optimize(none)
    static func eventClass() -> ClassModel {
        ClassModel(
            name: "event", doc: "An event: a record of an object being added, modified or deleted.",
            fields: [
                field(
                    "snapshot", .stringMap,
                    doc: "The current record of the object (absent for deletions)"),
                field("id", .int, .staticReadOnly, doc: "Identifier of the event (sent as a string)"),
                field(
                    "timestamp", .datetime, .staticReadOnly, lifecycle: .deprecated,
                    doc: "When the event happened (sent as a string)"),
                field("class", .string, .staticReadOnly, doc: "Lower-case name of the object's class"),
                field(
                    "operation", .enumeration("event_operation"), .staticReadOnly,
                    doc: "What happened to the object"),
                field("ref", .string, .staticReadOnly, doc: "Reference of the object"),
                field("obj_uuid", .string, .staticReadOnly, lifecycle: .deprecated, doc: "UUID of the object"),
            ],
            messages: [
                message(
                    "register",
                    [param("classes", .stringSet, doc: "Class names (or class/ref pairs, or \"*\") to subscribe to")],
                    doc: "Add subscriptions to the calling session's event queue (legacy event.next interface).",
                    role: .readOnly, async: false),
                message(
                    "unregister",
                    [param("classes", .stringSet, doc: "Subscriptions to remove")],
                    doc: "Remove subscriptions from the calling session's event queue.",
                    role: .readOnly, async: false),
                message(
                    "next",
                    result: .set(.record("event")),
                    doc: "Block until events matching the session's subscriptions occur, then return them.",
                    errors: [.sessionNotRegistered, .eventsLost],
                    role: .readOnly, async: false),
                message(
                    "from",
                    [
                        param(
                            "classes", .stringSet,
                            doc: "Class names, class/ref pairs or \"*\" to receive events for"),
                        param("token", .string, doc: "Token from a previous call, or \"\" to start from the beginning"),
                        param("timeout", .float, doc: "Seconds to wait for a matching event"),
                    ],
                    result: .stringMap,
                    doc: "Return changes to matching objects since the token, waiting up to the timeout. "
                        + "Returns the event batch struct {events, valid_ref_counts, token}, encoded specially.",
                    errors: [.sessionNotRegistered, .eventsLost, .eventFromTokenParseFailure, .eventSubscriptionParseFailure],
                    role: .readOnly, async: false),
                message(
                    "get_current_id",
                    result: .int,
                    doc: "Return the current value of the legacy event counter.",
                    role: .readOnly, async: false),
                message(
                    "inject",
                    [
                        param("class", .string, doc: "Class of the object to touch"),
                        param("ref", .string, doc: "Reference of the object to touch"),
                    ],
                    result: .string,
                    doc: "Generate a modification event for an object and return a token that follows it.",
                    errors: [.handleInvalid],
                    role: .readOnly, async: false),
            ],
            hasImplicitConstructor: false, exposesGetAll: false, persisted: false, generatesEvents: false)
    }
}
