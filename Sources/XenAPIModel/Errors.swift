/// Every error code swift-xapi may return, with the names of its (string) arguments, as constants:
/// messages name the errors they document by these, so a misspelt code does not compile.
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
    public static let vmBadPowerState = ErrorModel(
        code: "VM_BAD_POWER_STATE", parameters: ["vm", "expected", "actual"],
        doc: "The VM is not in a power state that allows the operation.")
    public static let vmIsTemplate = ErrorModel(
        code: "VM_IS_TEMPLATE", parameters: ["vm", "operation"],
        doc: "The operation cannot be performed on a template.")
    public static let provisionOnlyAllowedOnTemplate = ErrorModel(
        code: "PROVISION_ONLY_ALLOWED_ON_TEMPLATE", parameters: [],
        doc: "Only templates can be provisioned.")
    public static let vmCannotDeleteDefaultTemplate = ErrorModel(
        code: "VM_CANNOT_DELETE_DEFAULT_TEMPLATE", parameters: ["vm"],
        doc: "Default templates cannot be deleted.")
    public static let vmHVMRequired = ErrorModel(
        code: "VM_HVM_REQUIRED", parameters: ["vm"],
        doc: "The operation needs an HVM-capable host or VM.")
    public static let vmMissingPVDrivers = ErrorModel(
        code: "VM_MISSING_PV_DRIVERS", parameters: ["vm"],
        doc: "The VM has no PV drivers installed.")
    public static let vmLacksFeature = ErrorModel(
        code: "VM_LACKS_FEATURE", parameters: ["vm"],
        doc: "The guest does not support the feature the operation needs.")
    public static let vmNotResidentHere = ErrorModel(
        code: "VM_NOT_RESIDENT_HERE", parameters: ["vm", "host"],
        doc: "The VM is not resident on this host.")
    public static let vmRequiresSR = ErrorModel(
        code: "VM_REQUIRES_SR", parameters: ["vm", "sr"],
        doc: "The VM needs a storage repository the host cannot see.")
    public static let vmRequiresNetwork = ErrorModel(
        code: "VM_REQUIRES_NETWORK", parameters: ["vm", "network"],
        doc: "The VM needs a network the host cannot reach.")
    public static let vmRequiresVDI = ErrorModel(
        code: "VM_REQUIRES_VDI", parameters: ["vm", "vdi"],
        doc: "The VM needs a disk that is not available.")
    public static let vmNoEmptyCdVBD = ErrorModel(
        code: "VM_NO_EMPTY_CD_VBD", parameters: ["vm"],
        doc: "The VM has no empty CD drive.")
    public static let vmNoSuspendSR = ErrorModel(
        code: "VM_NO_SUSPEND_SR", parameters: ["vm"],
        doc: "No storage repository is configured for the VM's suspend image.")
    public static let vmHostIncompatibleVersion = ErrorModel(
        code: "VM_HOST_INCOMPATIBLE_VERSION", parameters: ["host", "vm"],
        doc: "The destination host runs an older version than the VM needs.")
    public static let vmMigrateFailed = ErrorModel(
        code: "VM_MIGRATE_FAILED", parameters: ["vm", "source", "destination", "msg"],
        doc: "Migration of the VM failed.")
    public static let vmShutdownTimeout = ErrorModel(
        code: "VM_SHUTDOWN_TIMEOUT", parameters: ["vm", "timeout"],
        doc: "The VM did not shut down within the timeout.")
    public static let vmFailedShutdownAcknowledgment = ErrorModel(
        code: "VM_FAILED_SHUTDOWN_ACKNOWLEDGMENT", parameters: ["vm"],
        doc: "The guest did not acknowledge the clean shutdown request.")
    public static let vmMemorySizeTooLow = ErrorModel(
        code: "VM_MEMORY_SIZE_TOO_LOW", parameters: ["vm"],
        doc: "The VM's memory settings are too low to start it.")
    public static let memoryConstraintViolation = ErrorModel(
        code: "MEMORY_CONSTRAINT_VIOLATION", parameters: ["constraint"],
        doc: "The memory limits violate static_min <= dynamic_min <= dynamic_max <= static_max.")
    public static let vcpuMaxNotCoresPerSocketMultiple = ErrorModel(
        code: "VCPU_MAX_NOT_CORES_PER_SOCKET_MULTIPLE", parameters: ["vcpu_max", "cores_per_socket"],
        doc: "VCPUs_max must be a multiple of the cores per socket.")
    public static let vmDuplicateVBDDevice = ErrorModel(
        code: "VM_DUPLICATE_VBD_DEVICE", parameters: ["vm", "vbd", "device"],
        doc: "Two block devices of the VM use the same device number.")
    public static let deviceAlreadyExists = ErrorModel(
        code: "DEVICE_ALREADY_EXISTS", parameters: ["device"],
        doc: "A device with that number already exists.")
    public static let invalidDevice = ErrorModel(
        code: "INVALID_DEVICE", parameters: ["device"],
        doc: "The device name or number is not valid.")
    public static let vmIsProtected = ErrorModel(
        code: "VM_IS_PROTECTED", parameters: ["vm"],
        doc: "The VM is protected by HA.")
    public static let vmIsPartOfAnAppliance = ErrorModel(
        code: "VM_IS_PART_OF_AN_APPLIANCE", parameters: ["vm", "appliance"],
        doc: "The operation is not allowed on a VM that belongs to an appliance.")
    public static let hostNotEnoughFreeMemory = ErrorModel(
        code: "HOST_NOT_ENOUGH_FREE_MEMORY", parameters: ["needed", "available"],
        doc: "The host does not have enough free memory.")
    public static let hostNotEnoughPcpus = ErrorModel(
        code: "HOST_NOT_ENOUGH_PCPUS", parameters: ["vcpus", "pcpus"],
        doc: "The host has fewer physical CPUs than the VM has VCPUs.")
    public static let noHostsAvailable = ErrorModel(
        code: "NO_HOSTS_AVAILABLE", parameters: [],
        doc: "No host can run the VM.")
    public static let hostDisabled = ErrorModel(
        code: "HOST_DISABLED", parameters: ["host"],
        doc: "The host is disabled.")
    public static let hostDisabledUntilReboot = ErrorModel(
        code: "HOST_DISABLED_UNTIL_REBOOT", parameters: ["host"],
        doc: "The host is disabled until it reboots.")
    public static let hostNotDisabled = ErrorModel(
        code: "HOST_NOT_DISABLED", parameters: [],
        doc: "The host must be disabled first.")
    public static let hostOffline = ErrorModel(
        code: "HOST_OFFLINE", parameters: ["host"],
        doc: "The host is offline.")
    public static let cannotContactHost = ErrorModel(
        code: "CANNOT_CONTACT_HOST", parameters: ["host"],
        doc: "The host cannot be contacted.")
    public static let hostNotLive = ErrorModel(
        code: "HOST_NOT_LIVE", parameters: [],
        doc: "The host is not live.")
    public static let hostInUse = ErrorModel(
        code: "HOST_IN_USE", parameters: ["host", "type", "ref"],
        doc: "The host is still used by another object.")
    public static let hostHasResidentVms = ErrorModel(
        code: "HOST_HAS_RESIDENT_VMS", parameters: ["host"],
        doc: "The host still has VMs resident on it.")
    public static let hostCannotDestroySelf = ErrorModel(
        code: "HOST_CANNOT_DESTROY_SELF", parameters: ["host"],
        doc: "A host cannot destroy its own record.")
    public static let hostIsLive = ErrorModel(
        code: "HOST_IS_LIVE", parameters: ["host"],
        doc: "The host is still live.")
    public static let cannotEvacuateHost = ErrorModel(
        code: "CANNOT_EVACUATE_HOST", parameters: ["errors"],
        doc: "Some VMs cannot be moved off the host; the argument lists why.")
    public static let hostEvacuateInProgress = ErrorModel(
        code: "HOST_EVACUATE_IN_PROGRESS", parameters: ["host"],
        doc: "The host is already being evacuated.")
    public static let joiningHostCannotContainSharedSrs = ErrorModel(
        code: "JOINING_HOST_CANNOT_CONTAIN_SHARED_SRS", parameters: [],
        doc: "A host joining a pool must not have shared storage repositories.")
    public static let joiningHostCannotHaveRunningOrSuspendedVms = ErrorModel(
        code: "JOINING_HOST_CANNOT_HAVE_RUNNING_OR_SUSPENDED_VMS", parameters: [],
        doc: "A host joining a pool must not have running or suspended VMs.")
    public static let joiningHostCannotBeMasterOfOtherHosts = ErrorModel(
        code: "JOINING_HOST_CANNOT_BE_MASTER_OF_OTHER_HOSTS", parameters: [],
        doc: "A host joining a pool must not be the coordinator of other hosts.")
    public static let joiningHostConnectionFailed = ErrorModel(
        code: "JOINING_HOST_CONNECTION_FAILED", parameters: [],
        doc: "The joining host could not connect to the pool coordinator.")
    public static let joiningHostServiceFailed = ErrorModel(
        code: "JOINING_HOST_SERVICE_FAILED", parameters: [],
        doc: "The pool coordinator failed while the host was joining.")
    public static let poolJoiningHostMustHaveSameProductVersion = ErrorModel(
        code: "POOL_JOINING_HOST_MUST_HAVE_SAME_PRODUCT_VERSION", parameters: [],
        doc: "A joining host must run the same product version as the pool.")
    public static let poolJoiningHostMustHaveSameAPIVersion = ErrorModel(
        code: "POOL_JOINING_HOST_MUST_HAVE_SAME_API_VERSION", parameters: ["host_api_version", "master_api_version"],
        doc: "A joining host must run the same API version as the pool.")
    public static let poolJoiningHostMustHaveSameDbSchema = ErrorModel(
        code: "POOL_JOINING_HOST_MUST_HAVE_SAME_DB_SCHEMA", parameters: ["host_db_schema", "master_db_schema"],
        doc: "A joining host must use the same database schema as the pool.")
    public static let hostsNotHomogeneous = ErrorModel(
        code: "HOSTS_NOT_HOMOGENEOUS", parameters: ["reason"],
        doc: "The hosts differ in a way that prevents pooling them.")
    public static let haIsEnabled = ErrorModel(
        code: "HA_IS_ENABLED", parameters: [],
        doc: "The operation is not allowed while HA is enabled.")
    public static let haNotEnabled = ErrorModel(
        code: "HA_NOT_ENABLED", parameters: [],
        doc: "The operation needs HA to be enabled.")
    public static let haTooFewHosts = ErrorModel(
        code: "HA_TOO_FEW_HOSTS", parameters: [],
        doc: "The pool has too few hosts for HA.")
    public static let haOperationWouldBreakFailoverPlan = ErrorModel(
        code: "HA_OPERATION_WOULD_BREAK_FAILOVER_PLAN", parameters: [],
        doc: "The operation would leave HA unable to tolerate the configured failures.")
    public static let notSupportedDuringUpgrade = ErrorModel(
        code: "NOT_SUPPORTED_DURING_UPGRADE", parameters: [],
        doc: "The operation is not allowed during a rolling pool upgrade.")
    public static let wlbNotInitialized = ErrorModel(
        code: "WLB_NOT_INITIALIZED", parameters: [],
        doc: "Workload balancing has not been configured.")
    public static let wlbDisabled = ErrorModel(
        code: "WLB_DISABLED", parameters: [],
        doc: "Workload balancing is disabled.")
    public static let srFull = ErrorModel(
        code: "SR_FULL", parameters: ["requested", "maximum"],
        doc: "The storage repository does not have enough free space.")
    public static let srHasPBD = ErrorModel(
        code: "SR_HAS_PBD", parameters: ["sr"],
        doc: "The storage repository is still attached to a host.")
    public static let srNotEmpty = ErrorModel(
        code: "SR_NOT_EMPTY", parameters: [],
        doc: "The storage repository still contains disks.")
    public static let srOperationNotSupported = ErrorModel(
        code: "SR_OPERATION_NOT_SUPPORTED", parameters: ["sr"],
        doc: "The storage repository does not support the operation.")
    public static let srNotAttached = ErrorModel(
        code: "SR_NOT_ATTACHED", parameters: ["sr"],
        doc: "The storage repository is not attached.")
    public static let srUnknownDriver = ErrorModel(
        code: "SR_UNKNOWN_DRIVER", parameters: ["driver"],
        doc: "No storage driver of that type exists.")
    public static let srBackendFailure = ErrorModel(
        code: "SR_BACKEND_FAILURE", parameters: ["status", "stdout", "stderr"],
        doc: "The storage driver failed.")
    public static let defaultSRNotFound = ErrorModel(
        code: "DEFAULT_SR_NOT_FOUND", parameters: ["sr"],
        doc: "The pool's default storage repository is not set or does not exist.")
    public static let vdiInUse = ErrorModel(
        code: "VDI_IN_USE", parameters: ["vdi", "operation"],
        doc: "The disk is in use by another operation or VM.")
    public static let vdiMissing = ErrorModel(
        code: "VDI_MISSING", parameters: ["sr", "vdi"],
        doc: "The disk could not be found in its storage repository.")
    public static let vdiReadonly = ErrorModel(
        code: "VDI_READONLY", parameters: ["vdi"],
        doc: "The disk is read-only.")
    public static let vdiIsNotIso = ErrorModel(
        code: "VDI_IS_NOT_ISO", parameters: ["vdi", "type"],
        doc: "Only ISO disks can be inserted into a CD drive.")
    public static let vdiNotAvailable = ErrorModel(
        code: "VDI_NOT_AVAILABLE", parameters: ["vdi"],
        doc: "The disk is not available.")
    public static let locationNotUnique = ErrorModel(
        code: "LOCATION_NOT_UNIQUE", parameters: ["sr", "location"],
        doc: "Another disk in the storage repository has the same location.")
    public static let vbdNotEmpty = ErrorModel(
        code: "VBD_NOT_EMPTY", parameters: ["vbd"],
        doc: "The drive already contains media.")
    public static let vbdIsEmpty = ErrorModel(
        code: "VBD_IS_EMPTY", parameters: ["vbd"],
        doc: "The drive contains no media.")
    public static let vbdNotRemovableMedia = ErrorModel(
        code: "VBD_NOT_REMOVABLE_MEDIA", parameters: ["vbd"],
        doc: "The drive does not hold removable media.")
    public static let vbdCdsMustBeReadonly = ErrorModel(
        code: "VBD_CDS_MUST_BE_READONLY", parameters: [],
        doc: "CD drives must be read-only.")
    public static let deviceAlreadyAttached = ErrorModel(
        code: "DEVICE_ALREADY_ATTACHED", parameters: ["device"],
        doc: "The device is already attached.")
    public static let networkContainsPIF = ErrorModel(
        code: "NETWORK_CONTAINS_PIF", parameters: ["pifs"],
        doc: "The network still has physical interfaces connected.")
    public static let networkContainsVIF = ErrorModel(
        code: "NETWORK_CONTAINS_VIF", parameters: ["vifs"],
        doc: "The network still has virtual interfaces connected.")
    public static let pifIsPhysical = ErrorModel(
        code: "PIF_IS_PHYSICAL", parameters: ["pif"],
        doc: "The operation is not allowed on a physical interface.")
    public static let macInvalid = ErrorModel(
        code: "MAC_INVALID", parameters: ["mac"],
        doc: "The MAC address is not valid.")
    public static let hostCannotAttachNetwork = ErrorModel(
        code: "HOST_CANNOT_ATTACH_NETWORK", parameters: ["host", "network"],
        doc: "The host cannot attach to the network.")
    public static let noRepositoryEnabled = ErrorModel(
        code: "NO_REPOSITORY_ENABLED", parameters: [],
        doc: "No update repository is enabled.")
    public static let multipleUpdateRepositoriesEnabled = ErrorModel(
        code: "MULTIPLE_UPDATE_REPOSITORIES_ENABLED", parameters: [],
        doc: "More than one update repository is enabled.")
    public static let configureRepositoriesInProgress = ErrorModel(
        code: "CONFIGURE_REPOSITORIES_IN_PROGRESS", parameters: [],
        doc: "Repositories are being configured.")
    public static let repositoryIsInUse = ErrorModel(
        code: "REPOSITORY_IS_IN_USE", parameters: [],
        doc: "The repository is enabled in the pool.")
    public static let syncUpdatesInProgress = ErrorModel(
        code: "SYNC_UPDATES_IN_PROGRESS", parameters: [],
        doc: "Updates are being synchronised.")
    public static let applyUpdatesInProgress = ErrorModel(
        code: "APPLY_UPDATES_IN_PROGRESS", parameters: [],
        doc: "Updates are being applied.")
    public static let canNotSyncUpdates = ErrorModel(
        code: "CAN_NOT_SYNC_UPDATES", parameters: [],
        doc: "Updates cannot be synchronised now.")
    public static let reposyncFailed = ErrorModel(
        code: "REPOSYNC_FAILED", parameters: [],
        doc: "Synchronising the repository failed.")
    public static let invalidRepomdXml = ErrorModel(
        code: "INVALID_REPOMD_XML", parameters: [],
        doc: "The repository metadata is invalid.")
    public static let invalidUpdateinfoXml = ErrorModel(
        code: "INVALID_UPDATEINFO_XML", parameters: [],
        doc: "The repository's update information is invalid.")
    public static let getUpdatesFailed = ErrorModel(
        code: "GET_UPDATES_FAILED", parameters: [],
        doc: "Listing the available updates failed.")
    public static let updateinfoHashMismatch = ErrorModel(
        code: "UPDATEINFO_HASH_MISMATCH", parameters: [],
        doc: "The update information changed since it was last synchronised.")
    public static let bundleRepoNotEnabled = ErrorModel(
        code: "BUNDLE_REPO_NOT_ENABLED", parameters: [],
        doc: "No bundle repository is enabled.")
    public static let bundleSyncFailed = ErrorModel(
        code: "BUNDLE_SYNC_FAILED", parameters: [],
        doc: "Synchronising the update bundle failed.")
    public static let noRepositoriesConfigured = ErrorModel(
        code: "NO_REPOSITORIES_CONFIGURED", parameters: [],
        doc: "No repositories are configured.")
    public static let repositoryAlreadyExists = ErrorModel(
        code: "REPOSITORY_ALREADY_EXISTS", parameters: ["ref"],
        doc: "A repository with the same settings already exists.")
    public static let bundleRepositoryAlreadyExists = ErrorModel(
        code: "BUNDLE_REPOSITORY_ALREADY_EXISTS", parameters: ["ref"],
        doc: "A bundle repository already exists.")
    public static let invalidBaseUrl = ErrorModel(
        code: "INVALID_BASE_URL", parameters: ["url"],
        doc: "The repository URL is not valid.")
    public static let blockedRepoUrl = ErrorModel(
        code: "BLOCKED_REPO_URL", parameters: ["url"],
        doc: "The repository URL is not allowed.")
    public static let invalidRepositoryProxyUrl = ErrorModel(
        code: "INVALID_REPOSITORY_PROXY_URL", parameters: ["url"],
        doc: "The repository proxy URL is not valid.")
    public static let invalidGpgkeyPath = ErrorModel(
        code: "INVALID_GPGKEY_PATH", parameters: ["gpgkey_path"],
        doc: "The GPG key path is not valid.")
    public static let getHostUpdatesFailed = ErrorModel(
        code: "GET_HOST_UPDATES_FAILED", parameters: ["host"],
        doc: "Listing the updates available to the host failed.")
    public static let applyUpdatesFailed = ErrorModel(
        code: "APPLY_UPDATES_FAILED", parameters: ["host"],
        doc: "Applying updates to the host failed.")
    public static let applyGuidanceFailed = ErrorModel(
        code: "APPLY_GUIDANCE_FAILED", parameters: ["host"],
        doc: "Carrying out the update guidance on the host failed.")
    public static let applyLivepatchFailed = ErrorModel(
        code: "APPLY_LIVEPATCH_FAILED", parameters: ["livepatch"],
        doc: "Applying a live patch failed.")
    public static let hostPendingMandatoryGuidanceNotEmpty = ErrorModel(
        code: "HOST_PENDING_MANDATORY_GUIDANCE_NOT_EMPTY", parameters: ["host"],
        doc: "The host has mandatory update guidance still pending.")
    public static let hostEvacuationIsRequired = ErrorModel(
        code: "HOST_EVACUATION_IS_REQUIRED", parameters: ["host"],
        doc: "The host must be evacuated before updates are applied.")
    public static let bundleUnpackFailed = ErrorModel(
        code: "BUNDLE_UNPACK_FAILED", parameters: ["error"],
        doc: "Unpacking the update bundle failed.")
    public static let invalidUpdateSyncDay = ErrorModel(
        code: "INVALID_UPDATE_SYNC_DAY", parameters: ["day"],
        doc: "The day given for update synchronisation is not valid.")
    public static let updateAlreadyExists = ErrorModel(
        code: "UPDATE_ALREADY_EXISTS", parameters: ["uuid"],
        doc: "An update with that UUID already exists.")
    public static let updateAlreadyApplied = ErrorModel(
        code: "UPDATE_ALREADY_APPLIED", parameters: ["update"],
        doc: "The update is already applied on the host.")
    public static let updateAlreadyAppliedInPool = ErrorModel(
        code: "UPDATE_ALREADY_APPLIED_IN_POOL", parameters: ["update"],
        doc: "The update is already applied on every host of the pool.")
    public static let invalidUpdate = ErrorModel(
        code: "INVALID_UPDATE", parameters: ["info"],
        doc: "The update is not valid.")
    public static let updateApplyFailed = ErrorModel(
        code: "UPDATE_APPLY_FAILED", parameters: ["output"],
        doc: "Applying the update failed.")
    public static let updatePoolApplyFailed = ErrorModel(
        code: "UPDATE_POOL_APPLY_FAILED", parameters: ["hosts"],
        doc: "Applying the update failed on some hosts of the pool.")
    public static let updatePrecheckFailedConflictPresent = ErrorModel(
        code: "UPDATE_PRECHECK_FAILED_CONFLICT_PRESENT", parameters: ["update", "other_update"],
        doc: "A conflicting update is installed.")
    public static let updatePrecheckFailedPrerequisiteMissing = ErrorModel(
        code: "UPDATE_PRECHECK_FAILED_PREREQUISITE_MISSING", parameters: ["update", "other_update"],
        doc: "A prerequisite update is not installed.")
    public static let updatePrecheckFailedWrongServerVersion = ErrorModel(
        code: "UPDATE_PRECHECK_FAILED_WRONG_SERVER_VERSION", parameters: ["update", "installed_version", "required_version"],
        doc: "The update does not apply to the installed product version.")
    public static let updatePrecheckFailedOutOfSpace = ErrorModel(
        code: "UPDATE_PRECHECK_FAILED_OUT_OF_SPACE", parameters: ["update", "available_space", "required_space"],
        doc: "The host does not have enough disk space for the update.")
}

extension DataModel {
    /// Every declared error, in declaration order.
    static func allErrors() -> [ErrorModel] {
        [
            .sessionAuthenticationFailed,
            .sessionAuthorizationFailed,
            .sessionInvalid,
            .sessionNotRegistered,
            .hostIsSlave,
            .hostInEmergencyMode,
            .notInEmergencyMode,
            .hostStillBooting,
            .messageMethodUnknown,
            .messageParameterCountMismatch,
            .messageRemoved,
            .messageDeprecated,
            .handleInvalid,
            .uuidInvalid,
            .invalidValue,
            .fieldTypeError,
            .valueNotSupported,
            .mapDuplicateKey,
            .internalError,
            .notImplemented,
            .permissionDenied,
            .rbacPermissionDenied,
            .operationNotAllowed,
            .operationBlocked,
            .otherOperationInProgress,
            .licenceRestriction,
            .taskCancelled,
            .tooManyPendingTasks,
            .eventsLost,
            .eventFromTokenParseFailure,
            .eventSubscriptionParseFailure,
            .vmBadPowerState,
            .vmIsTemplate,
            .provisionOnlyAllowedOnTemplate,
            .vmCannotDeleteDefaultTemplate,
            .vmHVMRequired,
            .vmMissingPVDrivers,
            .vmLacksFeature,
            .vmNotResidentHere,
            .vmRequiresSR,
            .vmRequiresNetwork,
            .vmRequiresVDI,
            .vmNoEmptyCdVBD,
            .vmNoSuspendSR,
            .vmHostIncompatibleVersion,
            .vmMigrateFailed,
            .vmShutdownTimeout,
            .vmFailedShutdownAcknowledgment,
            .vmMemorySizeTooLow,
            .memoryConstraintViolation,
            .vcpuMaxNotCoresPerSocketMultiple,
            .vmDuplicateVBDDevice,
            .deviceAlreadyExists,
            .invalidDevice,
            .vmIsProtected,
            .vmIsPartOfAnAppliance,
            .hostNotEnoughFreeMemory,
            .hostNotEnoughPcpus,
            .noHostsAvailable,
            .hostDisabled,
            .hostDisabledUntilReboot,
            .hostNotDisabled,
            .hostOffline,
            .cannotContactHost,
            .hostNotLive,
            .hostInUse,
            .hostHasResidentVms,
            .hostCannotDestroySelf,
            .hostIsLive,
            .cannotEvacuateHost,
            .hostEvacuateInProgress,
            .joiningHostCannotContainSharedSrs,
            .joiningHostCannotHaveRunningOrSuspendedVms,
            .joiningHostCannotBeMasterOfOtherHosts,
            .joiningHostConnectionFailed,
            .joiningHostServiceFailed,
            .poolJoiningHostMustHaveSameProductVersion,
            .poolJoiningHostMustHaveSameAPIVersion,
            .poolJoiningHostMustHaveSameDbSchema,
            .hostsNotHomogeneous,
            .haIsEnabled,
            .haNotEnabled,
            .haTooFewHosts,
            .haOperationWouldBreakFailoverPlan,
            .notSupportedDuringUpgrade,
            .wlbNotInitialized,
            .wlbDisabled,
            .srFull,
            .srHasPBD,
            .srNotEmpty,
            .srOperationNotSupported,
            .srNotAttached,
            .srUnknownDriver,
            .srBackendFailure,
            .defaultSRNotFound,
            .vdiInUse,
            .vdiMissing,
            .vdiReadonly,
            .vdiIsNotIso,
            .vdiNotAvailable,
            .locationNotUnique,
            .vbdNotEmpty,
            .vbdIsEmpty,
            .vbdNotRemovableMedia,
            .vbdCdsMustBeReadonly,
            .deviceAlreadyAttached,
            .networkContainsPIF,
            .networkContainsVIF,
            .pifIsPhysical,
            .macInvalid,
            .hostCannotAttachNetwork,
            .noRepositoryEnabled,
            .multipleUpdateRepositoriesEnabled,
            .configureRepositoriesInProgress,
            .repositoryIsInUse,
            .syncUpdatesInProgress,
            .applyUpdatesInProgress,
            .canNotSyncUpdates,
            .reposyncFailed,
            .invalidRepomdXml,
            .invalidUpdateinfoXml,
            .getUpdatesFailed,
            .updateinfoHashMismatch,
            .bundleRepoNotEnabled,
            .bundleSyncFailed,
            .noRepositoriesConfigured,
            .repositoryAlreadyExists,
            .bundleRepositoryAlreadyExists,
            .invalidBaseUrl,
            .blockedRepoUrl,
            .invalidRepositoryProxyUrl,
            .invalidGpgkeyPath,
            .getHostUpdatesFailed,
            .applyUpdatesFailed,
            .applyGuidanceFailed,
            .applyLivepatchFailed,
            .hostPendingMandatoryGuidanceNotEmpty,
            .hostEvacuationIsRequired,
            .bundleUnpackFailed,
            .invalidUpdateSyncDay,
            .updateAlreadyExists,
            .updateAlreadyApplied,
            .updateAlreadyAppliedInPool,
            .invalidUpdate,
            .updateApplyFailed,
            .updatePoolApplyFailed,
            .updatePrecheckFailedConflictPresent,
            .updatePrecheckFailedPrerequisiteMissing,
            .updatePrecheckFailedWrongServerVersion,
            .updatePrecheckFailedOutOfSpace,
        ]
    }
}
