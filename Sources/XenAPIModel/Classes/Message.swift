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
            messages: [],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
