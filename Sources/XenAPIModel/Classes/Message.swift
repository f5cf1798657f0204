extension DataModel {
    /// The `message` class: an alert raised about an object.
    @_optimize(none)
    static func messageClass() -> ClassModel {
        ClassModel(
            name: "message", doc: "A message (alert) about an object, for display to administrators.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                field("name", .string, doc: "Name of the message (the alert kind)"),
                field("priority", .int, doc: "Priority, from 1 (highest) to 5 (informational)"),
                field("cls", .enumeration("cls"), doc: "Class of the object the message is about"),
                field("obj_uuid", .string, doc: "UUID of the object the message is about"),
                field("timestamp", .datetime, doc: "When the message was raised"),
                field("body", .string, doc: "Text of the message"),
            ],
            messages: [
                message(
                    "create",
                    [
                        param("name", .string, doc: "The name of the message (the alert kind)"),
                        param("priority", .int, doc: "Priority, 1 (highest) to 5 (informational)"),
                        param("cls", .enumeration("cls"), doc: "Class of the object the message is about"),
                        param("obj_uuid", .string, doc: "UUID of the object the message is about"),
                        param("body", .string, doc: "Text of the message"),
                    ],
                    result: .ref("message"), doc: "Raise a message (alert) about an object.",
                    errors: [.uuidInvalid, .invalidValue], role: .poolOperator, async: false),
                message(
                    "destroy", [param("self", .ref("message"), doc: "The message to destroy")],
                    doc: "Destroy a message.", errors: [.handleInvalid], role: .poolOperator, async: false),
                message(
                    "destroy_many", [param("messages", .set(.ref("message")), doc: "The messages to destroy")],
                    doc: "Destroy several messages at once.", errors: [.handleInvalid], role: .poolOperator,
                    async: false),
                message(
                    "get",
                    [
                        param("cls", .enumeration("cls"), doc: "Class of the object"),
                        param("obj_uuid", .string, doc: "UUID of the object"),
                        param("since", .datetime, doc: "Only messages raised after this time"),
                    ],
                    result: .map(.ref("message"), .record("message")),
                    doc: "The messages about one object raised after a time.", role: .readOnly, async: false),
                message(
                    "get_since", [param("since", .datetime, doc: "Only messages raised after this time")],
                    result: .map(.ref("message"), .record("message")),
                    doc: "All messages raised after a time.", role: .readOnly, async: false),
            ],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
