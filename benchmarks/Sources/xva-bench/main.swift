import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import XenAPI
import XenCore
import XenDB
import XenDBSQLite
import XenHTTP
import XenRPC
import XenSimulation
import XenStorage

// xva-bench: issue 16's P7. A halted VM with a 1 GiB disk written in full (incompressible
// bytes) exported with GET /export and imported again with PUT /import over loopback, each
// timed to the end of the transfer (the import until its answer, which comes once the VM and its
// disk are made); against `tar -cf` plus `xxhsum -H1` of the same 1 GiB in the same run (the
// work an export is: framing and checksums). Goal: at least 0.8 of that.
// Run: cd benchmarks && swift run -c release xva-bench

let gib: Int64 = 1 << 30
let block = 2 << 20
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xva-bench-\(getpid())")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let clock = ContinuousClock()

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// A 2 MiB block of pseudo-random bytes (xorshift), different for each seed.
func noise(_ seed: UInt64) -> [UInt8] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var bytes = [UInt8](repeating: 0, count: block)
    bytes.withUnsafeMutableBytes { raw in
        for index in raw.bindMemory(to: UInt64.self).indices {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            raw.storeBytes(of: state, toByteOffset: index * 8, as: UInt64.self)
        }
    }
    return bytes
}

let background = BackgroundWork()
let environment = SystemEnvironment.make(background: background)
let database = try PoolDatabase(persistence: SQLitePersistence(path: folder.appendingPathComponent("pool.db").path))
let configuration = ToolstackConfiguration(hostname: "bench", address: "127.0.0.1")
let services = CoreServices(
    database: database, environment: environment, configuration: configuration,
    credentials: CredentialStore(try RootCredentials.make(password: "bench", salt: environment.randomBytes(16)), save: { _ in }),
    machines: try SimulatedMachines(
        count: 1, hostname: "bench", address: "127.0.0.1", shape: .init(),
        sources: .init(sleep: environment.sleep, makeUUID: environment.makeUUID, randomBytes: environment.randomBytes)
    ).machines,
    storageRoot: folder.appendingPathComponent("sr").path)
let toolstack = try Toolstack(services: services)
try await toolstack.startUp()

@discardableResult
func call(_ method: String, _ params: RPCValue...) async throws -> RPCValue {
    switch await toolstack.call(method: method, params: params) {
    case .success(let value), .bare(let value): return value
    case .failure(let description): throw XenAPIError(errorDescription: description)
    }
}

let session = try await call("session.login_with_password", "root", "bench")
let pool = try await call("pool.get_all", session).arrayValue![0]
let sr = try await call("pool.get_default_SR", session, pool)
let template = try await call("VM.get_by_name_label", session, "Other install media").arrayValue![0]
let vm = try await call("VM.clone", session, template, "p7")
let vdi = try await call(
    "VDI.create", session,
    ["name_label": "p7 disk", "name_description": "", "SR": sr, "virtual_size": .string(String(gib)), "type": "user",
     "sharable": false, "read_only": false, "other_config": [:]])
try await call(
    "VBD.create", session,
    ["VM": vm, "VDI": vdi, "userdevice": "0", "bootable": true, "mode": "RW", "type": "Disk", "empty": false,
     "unpluggable": true, "other_config": [:], "qos_algorithm_type": "", "qos_algorithm_params": [:]])
// Write the disk in full, and the same bytes as a raw file for the baseline.
let location = try await call("VDI.get_location", session, vdi).stringValue!
let srUUID = try await call("SR.get_uuid", session, sr).stringValue!
let diskPath = folder.appendingPathComponent("sr/\(srUUID)/\(location).vhd").path
let rawPath = folder.appendingPathComponent("disk.raw").path
_ = FileManager.default.createFile(atPath: rawPath, contents: nil)
let raw = try FileHandle(forWritingTo: URL(fileURLWithPath: rawPath))
let writer = try VHDWriter.open(path: diskPath)
for index in 0..<Int(gib) / block {
    let bytes = noise(UInt64(index + 1))
    try bytes.withUnsafeBytes { try writer.write(at: Int64(index * block), $0) }
    raw.write(Data(bytes))
}
try writer.close()
try raw.close()

let port = 18_193
let router = Router()
RPCEndpoints.register(on: router, toolstack: toolstack)
DiskTransferEndpoints.register(on: router, toolstack: toolstack)
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
let serviceGroup = ServiceGroup(configuration: .init(services: [app, BackgroundWorkService(work: background)], logger: .init(label: "xva-bench")))
let client = HTTPClient(eventLoopGroupProvider: .singleton)

func run(_ executable: String, _ arguments: [String]) throws -> Duration {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    let start = clock.now
    try process.run()
    process.waitUntilExit()
    return start.duration(to: clock.now)
}

try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await serviceGroup.run() }
    try await _Concurrency.Task.sleep(for: .milliseconds(500))
    let sessionRef = session.stringValue!
    let vmUUID = try await call("VM.get_uuid", session, vm).stringValue!
    let xvaPath = folder.appendingPathComponent("p7.xva").path
    var exports: [Double] = []
    var imports: [Double] = []
    var size: Int64 = 0
    for _ in 0..<3 {
        // Export to a file.
        _ = FileManager.default.createFile(atPath: xvaPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: xvaPath))
        let start = clock.now
        let response = try await client.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/export?session_id=\(sessionRef)&uuid=\(vmUUID)"), timeout: .seconds(600))
        precondition(response.status == .ok)
        size = 0
        for try await chunk in response.body {
            chunk.withUnsafeReadableBytes { out.write(Data($0)) }
            size += Int64(chunk.readableBytes)
        }
        exports.append(seconds(start.duration(to: clock.now)))
        try out.close()
        // Import it again.
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: xvaPath))
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/import?session_id=\(sessionRef)")
        request.method = .PUT
        // Read as the upload goes, 1 MiB at a time.
        let chunks = AsyncStream<ByteBuffer>(unfolding: {
            guard let data = try? input.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
            return ByteBuffer(bytes: data)
        })
        request.body = .stream(chunks, length: .known(size))
        let importStart = clock.now
        let answer = try await client.execute(request, timeout: .seconds(600))
        _ = try await answer.body.collect(upTo: 1 << 20)
        imports.append(seconds(importStart.duration(to: clock.now)))
        try input.close()
        precondition(answer.status == .ok)
    }
    let tar = try run("/usr/bin/tar", ["-cf", folder.appendingPathComponent("base.tar").path, "-C", folder.path, "disk.raw"])
    let xxhsum = try run("/usr/bin/xxhsum", ["-H1", rawPath])
    let baseline = seconds(tar) + seconds(xxhsum)
    let gibs = Double(gib) / 1e6
    func rate(_ time: Double) -> String { String(format: "%.0f MB/s", gibs / time) }
    let export = exports.sorted()[1]
    let importTime = imports.sorted()[1]
    print("P7: VM with a fully written 1 GiB disk; XVA of \(size) bytes; median of 3")
    print(String(format: "  export GET /export to a file: %.2f s (%@)", export, rate(export)))
    print(String(format: "  import PUT /import from it:   %.2f s (%@)", importTime, rate(importTime)))
    print(String(format: "  tar -cf + xxhsum -H1 of the 1 GiB: %.2f s (%@) [tar %.2f s, xxhsum %.2f s]", baseline, rate(baseline), seconds(tar), seconds(xxhsum)))
    print(String(format: "  export / baseline speed: %.2f; import / baseline speed: %.2f", baseline / export, baseline / importTime))
    try await client.shutdown()
    exit(0)
}
