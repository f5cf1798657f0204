/// Errors of host and pool operations.
extension ErrorModel {
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
    public static let joiningHostCannotHaveVMsWithCurrentOperations = ErrorModel(
        code: "JOINING_HOST_CANNOT_HAVE_VMS_WITH_CURRENT_OPERATIONS", parameters: [],
        doc: "The host joining the pool cannot have any VMs with active tasks.")
    public static let poolJoiningHostHasNonManagementVLANs = ErrorModel(
        code: "POOL_JOINING_HOST_HAS_NON_MANAGEMENT_VLANS", parameters: [],
        doc: "The host joining the pool must not have any non-management VLANs.")
    public static let hostsNotCompatible = ErrorModel(
        code: "HOSTS_NOT_COMPATIBLE", parameters: [],
        doc: "The joining host's platform differs from the pool coordinator's.")
    public static let licenseHostPoolMismatch = ErrorModel(
        code: "LICENSE_HOST_POOL_MISMATCH", parameters: [],
        doc: "Host and pool have incompatible licences (editions).")
    public static let hostsNotHomogeneous = ErrorModel(
        code: "HOSTS_NOT_HOMOGENEOUS", parameters: ["reason"],
        doc: "The hosts differ in a way that prevents pooling them.")
    public static let restoreIncompatibleVersion = ErrorModel(
        code: "RESTORE_INCOMPATIBLE_VERSION", parameters: [],
        doc: "The restore could not be performed because the database backup was made with another version of the software.")
    public static let restoreTargetMissingDevice = ErrorModel(
        code: "RESTORE_TARGET_MISSING_DEVICE", parameters: ["device"],
        doc: "The restore could not be performed because a network interface is missing.")
    public static let restoreTargetMgmtIfNotInBackup = ErrorModel(
        code: "RESTORE_TARGET_MGMT_IF_NOT_IN_BACKUP", parameters: [],
        doc: "The restore could not be performed because the host's management interface is not in the backup.")
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
    public static let upgradeCoordinatorFirst = ErrorModel(
        code: "UPGRADE_COORDINATOR_FIRST", parameters: ["host", "version", "coordinator_version"],
        doc: "The pool coordinator must be upgraded before its members: the host would run a newer release than the coordinator.")
    public static let upgradeSourceInvalid = ErrorModel(
        code: "UPGRADE_SOURCE_INVALID", parameters: ["source", "reason"],
        doc: "The upgrade source does not describe a release (its release.json is missing or malformed).")
    public static let upgradeFailed = ErrorModel(
        code: "UPGRADE_FAILED", parameters: ["host", "reason"],
        doc: "Installing the new release on the host failed; the host came back with the release it had.")
    public static let hostHasNoBackup = ErrorModel(
        code: "HOST_HAS_NO_BACKUP", parameters: ["host"],
        doc: "The host keeps no earlier release to be restored to.")
    public static let rollingOperationActive = ErrorModel(
        code: "ROLLING_OPERATION_ACTIVE", parameters: ["ref"],
        doc: "A rolling operation is already running or paused in the pool; only one may be active.")
    public static let rollingOperationStatusInvalid = ErrorModel(
        code: "ROLLING_OPERATION_STATUS_INVALID", parameters: ["ref", "status"],
        doc: "The rolling operation's status does not allow this (a run starts once, pauses while running, resumes when paused).")
    public static let rollingOperationBlocked = ErrorModel(
        code: "ROLLING_OPERATION_BLOCKED", parameters: ["ref", "blockers"],
        doc: "The prechecks found blockers; each is `<class>|<uuid>|<REASON>|<remedy>`, joined by newlines.")
    public static let rollingOperationHostState = ErrorModel(
        code: "ROLLING_OPERATION_HOST_STATE", parameters: ["host", "state"],
        doc: "The host's state in the run does not allow this (only a pending or failed host can be skipped).")
    public static let notSupportedDuringUpgrade = ErrorModel(
        code: "NOT_SUPPORTED_DURING_UPGRADE", parameters: [],
        doc: "The operation is not allowed during a rolling pool upgrade.")
    public static let invalidEdition = ErrorModel(
        code: "INVALID_EDITION", parameters: ["edition"],
        doc: "The edition is not one this product has.")
    public static let wlbNotInitialized = ErrorModel(
        code: "WLB_NOT_INITIALIZED", parameters: [],
        doc: "Workload balancing has not been configured.")
    public static let wlbDisabled = ErrorModel(
        code: "WLB_DISABLED", parameters: [],
        doc: "Workload balancing is disabled.")
}
