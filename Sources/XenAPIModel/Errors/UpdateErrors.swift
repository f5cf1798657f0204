/// Errors of the update machinery: XenServer 8 repositories and legacy pool updates.
extension ErrorModel {
    public static let noRepositoryEnabled = ErrorModel(
        code: "NO_REPOSITORY_ENABLED", parameters: [],
        doc: "No update repository is enabled.")
    public static let multipleUpdateRepositoriesEnabled = ErrorModel(
        code: "MULTIPLE_UPDATE_REPOSITORIES_ENABLED", parameters: [],
        doc: "More than one update repository is enabled.")
    public static let configureRepositoriesInProgress = ErrorModel(
        code: "CONFIGURE_REPOSITORIES_IN_PROGRESS", parameters: [],
        doc: "Repositories are being configured.")
    public static let canNotPeriodicSyncUpdates = ErrorModel(
        code: "CAN_NOT_PERIODIC_SYNC_UPDATES", parameters: [],
        doc: "The currently enabled repositories do not support periodic synchronization of updates.")
    public static let invalidRepositoryProxyCredential = ErrorModel(
        code: "INVALID_REPOSITORY_PROXY_CREDENTIAL", parameters: [],
        doc: "The repository proxy username or password is invalid.")
    public static let repoShouldBeSingleOneEnabled = ErrorModel(
        code: "REPO_SHOULD_BE_SINGLE_ONE_ENABLED", parameters: [],
        doc: "A bundle or remote-pool repository must be the only repository enabled in the pool.")
    public static let invalidRepositoryDomainAllowlist = ErrorModel(
        code: "INVALID_REPOSITORY_DOMAIN_ALLOWLIST", parameters: ["domains"],
        doc: "The repository domain allowlist has some invalid domains.")
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
