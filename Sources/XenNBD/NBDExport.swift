import XenStorage

/// What an NBD server serves: a disk of a fixed size that may be read, written and flushed.
/// Calls may block (they go to a thread pool); any byte range may be asked for.
public protocol NBDExport: Sendable {
    var size: Int64 { get }
    var readOnly: Bool { get }
    func read(at offset: Int64, count: Int) throws -> [UInt8]
    func write(at offset: Int64, _ bytes: [UInt8]) throws
    func flush() throws
}

extension VHDDisk: NBDExport {}
