import Foundation
import Synchronization

/// Where the simulated machines keep what outlives the toolstack's process, as a real host's
/// inventory and domains outlive its toolstack: named records of bytes in the simulator's own
/// encoding.
public protocol SimulationStorage: Sendable {
    /// The bytes last saved under `name`; `nil` when nothing was saved yet.
    func load(_ name: String) throws -> [UInt8]?
    func save(_ name: String, _ bytes: [UInt8]) throws
}

/// A folder (in the data folder): one `<name>.json` file per record, replaced atomically on each save.
public struct SimulationFolder: SimulationStorage {
    public let path: String

    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func load(_ name: String) throws -> [UInt8]? {
        let file = url(name)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return [UInt8](try Data(contentsOf: file))
    }

    public func save(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: url(name), options: .atomic)
    }

    private func url(_ name: String) -> URL { URL(fileURLWithPath: path).appendingPathComponent(name + ".json") }
}

/// Memory that outlives one set of simulated machines, for tests and simulations that restart
/// the toolstack.
public final class MemorySimulationStorage: SimulationStorage {
    private let records = Mutex<[String: [UInt8]]>([:])

    public init() {}

    public func load(_ name: String) throws -> [UInt8]? { records.withLock { $0[name] } }
    public func save(_ name: String, _ bytes: [UInt8]) throws { records.withLock { $0[name] = bytes } }
}

/// One named record in a storage, encoded as sorted-key JSON.
struct StoredRecord<Value: Codable>: Sendable {
    let storage: any SimulationStorage
    let name: String

    func load() throws -> Value? {
        guard let bytes = try storage.load(name) else { return nil }
        return try JSONDecoder().decode(Value.self, from: Data(bytes))
    }

    /// Saves `value`; a failure is left for the next save to make good (the state is real either way).
    func save(_ value: Value) {
        try? write(value)
    }

    /// Saves `value`, reporting a failure (for a record nothing else would make good later).
    func write(_ value: Value) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try storage.save(name, [UInt8](try encoder.encode(value)))
    }
}
