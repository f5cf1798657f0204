/// Protocol, session and generic errors.
extension ErrorModel {
    public static let sessionAuthenticationFailed = ErrorModel(
        code: "SESSION_AUTHENTICATION_FAILED", parameters: ["uname", "message"],
        doc: "The credentials given at login were rejected.")
    public static let sessionAuthorizationFailed = ErrorModel(
        code: "SESSION_AUTHORIZATION_FAILED", parameters: ["uname", "message"],
        doc: "The user authenticated but has no role that allows logging in.")
    public static let sessionInvalid = ErrorModel(
        code: "SESSION_INVALID", parameters: ["session_ref"],
        doc: "The session reference is unknown, logged out or expired.")
    public static let sessionNotRegistered = ErrorModel(
        code: "SESSION_NOT_REGISTERED", parameters: ["handle"],
        doc: "event.next was called before event.register on this session.")
    public static let hostIsSlave = ErrorModel(
        code: "HOST_IS_SLAVE", parameters: ["coordinator_address"],
        doc: "This host is a pool member; connect to the pool coordinator instead.")
    public static let hostInEmergencyMode = ErrorModel(
        code: "HOST_IN_EMERGENCY_MODE", parameters: [],
        doc: "The host cannot reach its coordinator and accepts only emergency calls.")
    public static let notInEmergencyMode = ErrorModel(
        code: "NOT_IN_EMERGENCY_MODE", parameters: [],
        doc: "The call is only valid on a host in emergency mode.")
    public static let hostStillBooting = ErrorModel(
        code: "HOST_STILL_BOOTING", parameters: [],
        doc: "The toolstack has not finished starting up.")
    public static let messageMethodUnknown = ErrorModel(
        code: "MESSAGE_METHOD_UNKNOWN", parameters: ["method"],
        doc: "No method of that name exists.")
    public static let messageParameterCountMismatch = ErrorModel(
        code: "MESSAGE_PARAMETER_COUNT_MISMATCH", parameters: ["method", "expected", "received"],
        doc: "The method was called with the wrong number of parameters.")
    public static let messageRemoved = ErrorModel(
        code: "MESSAGE_REMOVED", parameters: [],
        doc: "The method has been removed from the API.")
    public static let messageDeprecated = ErrorModel(
        code: "MESSAGE_DEPRECATED", parameters: [],
        doc: "The method is deprecated and no longer served.")
    public static let handleInvalid = ErrorModel(
        code: "HANDLE_INVALID", parameters: ["class", "handle"],
        doc: "The reference does not name an existing object of the expected class.")
    public static let uuidInvalid = ErrorModel(
        code: "UUID_INVALID", parameters: ["class", "uuid"],
        doc: "No object of the class has that UUID.")
    public static let invalidValue = ErrorModel(
        code: "INVALID_VALUE", parameters: ["field", "value"],
        doc: "The value is out of range or badly formed.")
    public static let fieldTypeError = ErrorModel(
        code: "FIELD_TYPE_ERROR", parameters: ["field"],
        doc: "The value has the wrong type for the field.")
    public static let valueNotSupported = ErrorModel(
        code: "VALUE_NOT_SUPPORTED", parameters: ["field", "value", "reason"],
        doc: "The value is valid but not supported here.")
    public static let mapDuplicateKey = ErrorModel(
        code: "MAP_DUPLICATE_KEY", parameters: ["class", "field", "object", "key"],
        doc: "The key is already present in the map field.")
    public static let internalError = ErrorModel(
        code: "INTERNAL_ERROR", parameters: ["message"],
        doc: "An unexpected internal failure occurred.")
    public static let notImplemented = ErrorModel(
        code: "NOT_IMPLEMENTED", parameters: ["function"],
        doc: "The function is not implemented.")
    public static let permissionDenied = ErrorModel(
        code: "PERMISSION_DENIED", parameters: ["message"],
        doc: "The caller is not permitted to perform the operation.")
    public static let rbacPermissionDenied = ErrorModel(
        code: "RBAC_PERMISSION_DENIED", parameters: ["permission", "message"],
        doc: "The caller's role lacks the permission the call needs.")
    public static let operationNotAllowed = ErrorModel(
        code: "OPERATION_NOT_ALLOWED", parameters: ["reason"],
        doc: "The operation is not allowed; the reason explains why.")
    public static let operationBlocked = ErrorModel(
        code: "OPERATION_BLOCKED", parameters: ["ref", "code"],
        doc: "The operation is listed in the object's blocked_operations.")
    public static let otherOperationInProgress = ErrorModel(
        code: "OTHER_OPERATION_IN_PROGRESS", parameters: ["class", "ref", "operation", "task_ref"],
        doc: "A conflicting operation is already running on the object.")
    public static let licenceRestriction = ErrorModel(
        code: "LICENCE_RESTRICTION", parameters: ["feature"],
        doc: "The licence in force does not allow the feature.")
    public static let taskCancelled = ErrorModel(
        code: "TASK_CANCELLED", parameters: ["task_ref"],
        doc: "The task was cancelled.")
    public static let tooManyPendingTasks = ErrorModel(
        code: "TOO_MANY_PENDING_TASKS", parameters: [],
        doc: "Too many tasks are pending; try again later.")
    public static let eventsLost = ErrorModel(
        code: "EVENTS_LOST", parameters: [],
        doc: "The event queue overflowed and events were dropped; re-register and re-read state.")
    public static let eventFromTokenParseFailure = ErrorModel(
        code: "EVENT_FROM_TOKEN_PARSE_FAILURE", parameters: ["token"],
        doc: "The token passed to event.from is malformed.")
    public static let eventSubscriptionParseFailure = ErrorModel(
        code: "EVENT_SUBSCRIPTION_PARSE_FAILURE", parameters: ["subscription"],
        doc: "A subscription string is not a class name, class/ref pair or \"*\".")
}
