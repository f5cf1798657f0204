extension DataModel {
    /// The `task` class: a long-running asynchronous operation.
    @_optimize(none)
    static func taskClass() -> ClassModel {
        ClassModel(
            name: "task", doc: "A task: tracks the progress and outcome of an asynchronous operation.",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                namespace(
                    "name",
                    [
                        field(
                            "label", .string, default: .string(""),
                            doc: "Name of the task (the call name or the label given at creation)"),
                        field(
                            "description", .string, default: .string(""),
                            doc: "Description of the task"),
                    ]),
                field(
                    "allowed_operations", .set(.enumeration("task_allowed_operations")), default: .emptySet,
                    doc: "Operations currently allowed on the task"),
                field(
                    "current_operations", .map(.string, .enumeration("task_allowed_operations")), default: .emptyMap,
                    doc: "Operations in progress, keyed by task reference"),
                field("created", .datetime, doc: "When the task was created"),
                field("finished", .datetime, doc: "When the task finished (the epoch while pending)"),
                field("status", .enumeration("task_status_type"), doc: "Current status"),
                field("resident_on", .ref("host"), doc: "The host the task runs on"),
                field("progress", .float, doc: "Completion, between 0 and 1"),
                field("type", .string, doc: "Type of the result, when the task succeeded"),
                field("result", .string, doc: "Result value, when the task succeeded"),
                field("error_info", .stringSet, doc: "Error code and arguments, when the task failed"),
                field("other_config", .stringMap, .readWrite, default: .emptyMap, doc: "Additional configuration"),
                field("subtask_of", .ref("task"), default: .nullRef, doc: "The task this is a subtask of"),
                field("subtasks", .set(.ref("task")), doc: "Subtasks of this task"),
                field("backtrace", .string, default: .string("()"), doc: "Internal backtrace of a failure"),
            ],
            messages: [
                message(
                    "create",
                    [
                        param("label", .string, doc: "Name for the new task"),
                        param("description", .string, doc: "Description for the new task"),
                    ],
                    result: .ref("task"),
                    doc: "Create a task owned by the calling session, for client-side progress reporting.",
                    role: .readOnly, async: false),
                message(
                    "destroy",
                    [param("self", .ref("task"), doc: "The task to destroy")],
                    doc: "Destroy a task.",
                    role: .readOnly, async: false),
                message(
                    "cancel",
                    [param("task", .ref("task"), doc: "The task to cancel")],
                    doc: "Request cancellation of a pending task.",
                    errors: [.operationNotAllowed],
                    role: .readOnly, async: false),
                message(
                    "set_status",
                    [
                        param("self", .ref("task"), doc: "The task to update"),
                        param("value", .enumeration("task_status_type"), doc: "The new status"),
                    ],
                    doc: "Set the status of a task.",
                    role: .readOnly, async: false),
                message(
                    "set_progress",
                    [
                        param("self", .ref("task"), doc: "The task to update"),
                        param("value", .float, doc: "The new progress, between 0 and 1"),
                    ],
                    doc: "Set the progress of a task.",
                    role: .readOnly, async: false),
                message(
                    "set_result",
                    [
                        param("self", .ref("task"), doc: "The task to update"),
                        param("value", .string, doc: "The new result"),
                    ],
                    doc: "Set the result of a task.",
                    role: .readOnly, async: false),
                message(
                    "set_error_info",
                    [
                        param("self", .ref("task"), doc: "The task to update"),
                        param("value", .stringSet, doc: "The error code followed by its arguments"),
                    ],
                    doc: "Set the error information of a task.",
                    role: .readOnly, async: false),
            ],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: false, generatesEvents: true)
    }
}
