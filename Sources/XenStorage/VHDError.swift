/// Why a VHD could not be read.
public enum VHDError: Error, Sendable, Hashable {
    /// No valid footer at the end of the file, nor its copy at offset 0.
    case noValidFooter(path: String)
    /// A structure is not what the format says (its name and what is wrong).
    case malformed(structure: String, reason: String)
    /// A differencing disk whose parent none of its locators finds.
    case parentNotFound(child: String, tried: [String])
    /// The parent found has another uuid than the child's header names.
    case parentMismatch(child: String, parent: String)
    /// A read past the end of the virtual disk.
    case outOfRange(offset: Int64, length: Int, size: Int64)
    /// A stream ended before the bytes its structure promised (at this many bytes).
    case truncated(at: Int64)
    /// The file system refused (opening, reading).
    case io(path: String, reason: String)
}
