import Foundation
import Synchronization

/// Where the simulated hypervisor keeps its domains so they outlive the process (the bytes are
/// its own encoding).
public protocol DomainStateStore: Sendable {
    /// The bytes last saved; `nil` when nothing was saved yet.
    func load() throws -> [UInt8]?
    func save(_ bytes: [UInt8]) throws
}

/// A file in the data folder, replaced atomically on each save.
public struct DomainStateFile: DomainStateStore {
    public let path: String

    public init(path: String) { self.path = path }

    public func load() throws -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    public func save(_ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// Memory that outlives one simulated hypervisor, for tests that restart the toolstack.
public final class MemoryDomainStateStore: DomainStateStore {
    private let bytes = Mutex<[UInt8]?>(nil)

    public init() {}

    public func load() throws -> [UInt8]? { bytes.withLock { $0 } }
    public func save(_ bytes: [UInt8]) throws { self.bytes.withLock { $0 = bytes } }
}
