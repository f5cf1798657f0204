/// Errors of VM export and import (XVA streams), with xapi's codes, arguments and words.
extension ErrorModel {
    public static let importError = ErrorModel(
        code: "IMPORT_ERROR", parameters: ["msg"],
        doc: "The VM could not be imported.")
    public static let importErrorPrematureEOF = ErrorModel(
        code: "IMPORT_ERROR_PREMATURE_EOF", parameters: [],
        doc: "The VM could not be imported; the end of the file was reached prematurely.")
    public static let importErrorSomeChecksumsFailed = ErrorModel(
        code: "IMPORT_ERROR_SOME_CHECKSUMS_FAILED", parameters: [],
        doc: "Some data checksums were incorrect; the VM may be corrupt.")
    public static let importErrorCannotHandleChunked = ErrorModel(
        code: "IMPORT_ERROR_CANNOT_HANDLE_CHUNKED", parameters: [],
        doc: "Cannot import VM using chunked encoding.")
    public static let importErrorFailedToFindObject = ErrorModel(
        code: "IMPORT_ERROR_FAILED_TO_FIND_OBJECT", parameters: ["id"],
        doc: "The VM could not be imported because a required object could not be found.")
    public static let importErrorAttachedDisksNotFound = ErrorModel(
        code: "IMPORT_ERROR_ATTACHED_DISKS_NOT_FOUND", parameters: [],
        doc: "The VM could not be imported because attached disks could not be found.")
    public static let importErrorUnexpectedFile = ErrorModel(
        code: "IMPORT_ERROR_UNEXPECTED_FILE", parameters: ["filename_expected", "filename_found"],
        doc: "The VM could not be imported because the XVA file is invalid: an unexpected file was encountered.")
    public static let importIncompatibleVersion = ErrorModel(
        code: "IMPORT_INCOMPATIBLE_VERSION", parameters: [],
        doc: "The import failed because this export has been created by a different (incompatible) product version")
    public static let duplicateMACSeed = ErrorModel(
        code: "DUPLICATE_MAC_SEED", parameters: ["seed"],
        doc: "This MAC seed is already in use by a VM in the pool")
    public static let vmToImportIsNotNewerVersion = ErrorModel(
        code: "VM_TO_IMPORT_IS_NOT_NEWER_VERSION", parameters: ["vm", "existing_version", "version_to_import"],
        doc: "The VM cannot be imported unforced because it is either the same version or an older version of an existing VM.")
}
