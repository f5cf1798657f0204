/// Errors of VM operations.
extension ErrorModel {
    public static let vmSnapshotWithQuiesceNotSupported = ErrorModel(
        code: "VM_SNAPSHOT_WITH_QUIESCE_NOT_SUPPORTED", parameters: ["vm", "error"],
        doc: "The VM's guest tools cannot quiesce its disks (no VSS provider).")
    public static let vmRevertFailed = ErrorModel(
        code: "VM_REVERT_FAILED", parameters: ["vm", "snapshot"],
        doc: "The VM could not be reverted to the snapshot.")
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
    public static let bootloaderFailed = ErrorModel(
        code: "BOOTLOADER_FAILED", parameters: ["vm", "msg"],
        doc: "The VM's bootloader (or network installer) could not start it.")
    public static let memoryConstraintViolationOrder = ErrorModel(
        code: "MEMORY_CONSTRAINT_VIOLATION_ORDER", parameters: [],
        doc: "The memory limits violate static_min <= dynamic_min <= dynamic_max <= static_max.")
    public static let memoryConstraintViolationMaxpin = ErrorModel(
        code: "MEMORY_CONSTRAINT_VIOLATION_MAXPIN", parameters: ["reason"],
        doc: "The dynamic range must be pinned at static_max (no dynamic memory control).")
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
    public static let tooManyGroups = ErrorModel(
        code: "TOO_MANY_GROUPS", parameters: [],
        doc: "A VM belongs to one VM group at most.")
}
