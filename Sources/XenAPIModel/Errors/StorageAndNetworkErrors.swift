/// Errors of storage and network operations.
extension ErrorModel {
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
    public static let srHasNoPBDs = ErrorModel(
        code: "SR_HAS_NO_PBDS", parameters: ["sr"],
        doc: "No host is connected to the storage repository.")
    public static let srDeviceInUse = ErrorModel(
        code: "SR_DEVICE_IN_USE", parameters: [],
        doc: "Another storage repository already uses the device or location.")
    public static let defaultSRNotFound = ErrorModel(
        code: "DEFAULT_SR_NOT_FOUND", parameters: ["sr"],
        doc: "The pool's default storage repository is not set or does not exist.")
    public static let vdiTooSmall = ErrorModel(
        code: "VDI_TOO_SMALL", parameters: ["vdi", "minimum_size"],
        doc: "The disk cannot be made smaller than it is.")
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
    public static let deviceAlreadyDetached = ErrorModel(
        code: "DEVICE_ALREADY_DETACHED", parameters: ["device"],
        doc: "The device is not plugged in.")
    public static let deviceAlreadyAttached = ErrorModel(
        code: "DEVICE_ALREADY_ATTACHED", parameters: ["device"],
        doc: "The device is already attached.")
    public static let networkContainsPIF = ErrorModel(
        code: "NETWORK_CONTAINS_PIF", parameters: ["pifs"],
        doc: "The network still has physical interfaces connected.")
    public static let networkContainsVIF = ErrorModel(
        code: "NETWORK_CONTAINS_VIF", parameters: ["vifs"],
        doc: "The network still has virtual interfaces connected.")
    public static let bridgeNameExists = ErrorModel(
        code: "BRIDGE_NAME_EXISTS", parameters: ["bridge"],
        doc: "Another network already uses this bridge name.")
    public static let pifIsPhysical = ErrorModel(
        code: "PIF_IS_PHYSICAL", parameters: ["pif"],
        doc: "The operation is not allowed on a physical interface.")
    public static let macInvalid = ErrorModel(
        code: "MAC_INVALID", parameters: ["mac"],
        doc: "The MAC address is not valid.")
    public static let hostCannotAttachNetwork = ErrorModel(
        code: "HOST_CANNOT_ATTACH_NETWORK", parameters: ["host", "network"],
        doc: "The host cannot attach to the network.")
}
