import Foundation
import XenAPI
import XenCore
import XenDB
import XenDBSQLite
import XenHTTP
import XenRPC
import XenSimulation
import XenStorage

// storage-bench: the figures of issue 14 (P6), on VHD files in a temporary folder.
//   clone     VDI.clone of a written 1, 10 and 100 GiB disk through the toolstack (the double
//             snapshot and its records, SQLite with synchronous=FULL), and the file work alone;
//             goal < 10 ms at 100 GiB, flat in size
//   copy      the full copy (flatten) of a 1 GiB disk written over a two-file chain, against
//             `qemu-img convert -f raw -O vpc` of the same 1 GiB in the same run; goal >= 0.8 of its speed
// Run: cd benchmarks && swift run -c release storage-bench

let gib: Int64 = 1 << 30
let block = 2 << 20
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("storage-bench-\(getpid())")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let clock = ContinuousClock()

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// A 2 MiB block of pseudo-random bytes (xorshift), different for each seed.
func noise(_ seed: UInt64) -> [UInt8] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var bytes = [UInt8](repeating: 0, count: block)
    bytes.withUnsafeMutableBytes { raw in
        let words = raw.bindMemory(to: UInt64.self)
        for index in words.indices {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            words[index] = state
        }
    }
    return bytes
}

// The toolstack, on SQLite, with its local SR in the folder.
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
guard case .success(let session) = await toolstack.call(method: "session.login_with_password", params: ["root", "bench"]) else {
    fatalError("login failed")
}
let pool = try await value("pool.get_all").arrayValue![0]
let sr = try await value("pool.get_default_SR", pool)
let srFolder = VHDFolder(path: folder.appendingPathComponent("sr").path + "/" + (try await value("SR.get_uuid", sr)).stringValue!)

func value(_ method: String, _ params: RPCValue...) async throws -> RPCValue {
    switch await toolstack.call(method: method, params: [session] + params) {
    case .success(let value), .bare(let value): return value
    case .failure(let description): throw XenAPIError(errorDescription: description)
    }
}

print("P6 clone (median of 20, each after a 2 MiB write so the chain grows)")
for size in [1, 10, 100] {
    var record = VDI()
    record.sr = Ref(sr.stringValue!)
    record.virtualSize = Int64(size) * gib
    record.type = .user
    let vdi = try await value("VDI.create", record.rpcValue)
    let location = try await value("VDI.get_location", vdi).stringValue!
    var api: [Double] = []
    var files: [Double] = []
    for round in 0..<20 {
        let writer = try VHDWriter.open(path: srFolder.file(location))
        try noise(UInt64(round)).withUnsafeBytes { try writer.write(at: Int64(round) * Int64(block), $0) }
        try writer.close()
        let start = clock.now
        _ = try await value("VDI.clone", vdi, [:])
        api.append(milliseconds(clock.now - start))
    }
    // The file work alone, on a disk of its own.
    let own = "00000000-0000-4000-8000-\(String(format: "%012d", size))"
    _ = try srFolder.create(uuid: own, size: Int64(size) * gib, timestamp: 1)
    try srFolder.finish(.create(vdi: own))
    for round in 0..<20 {
        let writer = try VHDWriter.open(path: srFolder.file(own))
        try noise(UInt64(round)).withUnsafeBytes { try writer.write(at: Int64(round) * Int64(block), $0) }
        try writer.close()
        let start = clock.now
        let made = try srFolder.snapshot(own, base: "10000000-0000-4000-8000-\(String(format: "%06d%06d", size, round))",
            clones: ["20000000-0000-4000-8000-\(String(format: "%06d%06d", size, round))"], timestamp: 2)
        try srFolder.finish(made.journal)
        files.append(milliseconds(clock.now - start))
    }
    print(String(format: "  %3d GiB: VDI.clone %.2f ms (max %.2f), files alone %.2f ms", size, median(api), api.max()!, median(files)))
}

print("P6 full copy of a 1 GiB disk written over a two-file chain (median of 5 after a warm-up; dirty pages flushed before each)")
let chainFolder = VHDFolder(path: folder.appendingPathComponent("copy").path)
try chainFolder.prepare()
let disk = "30000000-0000-4000-8000-000000000001"
_ = try chainFolder.create(uuid: disk, size: gib, timestamp: 1)
var writer = try VHDWriter.open(path: chainFolder.file(disk))
for index in 0..<Int(gib / Int64(block)) {
    try noise(UInt64(index)).withUnsafeBytes { try writer.write(at: Int64(index) * Int64(block), $0) }
}
try writer.close()
try chainFolder.finish(try chainFolder.snapshot(disk, base: "30000000-0000-4000-8000-000000000002", clones: [], timestamp: 2).journal)
writer = try VHDWriter.open(path: chainFolder.file(disk))
for index in stride(from: 0, to: Int(gib / Int64(block)), by: 2) {
    try noise(UInt64(index + 100_000)).withUnsafeBytes { try writer.write(at: Int64(index) * Int64(block), $0) }
}
try writer.close()
// The same 1 GiB as a raw file, for qemu-img.
let raw = folder.appendingPathComponent("same.raw").path
FileManager.default.createFile(atPath: raw, contents: nil)
let rawHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: raw))
try await VHDExport(try chainFolder.chain(disk), format: .raw).write(uuid: disk, timestamp: 1) { try rawHandle.write(contentsOf: $0) }
try rawHandle.close()

var ours: [Double] = []
var qemu: [Double] = []
// Round 0 warms both up (the first write of a gigabyte here is slow whoever does it) and is not counted.
for round in 0..<6 {
    let copy = "40000000-0000-4000-8000-00000000000\(round)"
    // Both start with nothing waiting to be written back (ours syncs its journal's folder).
    sync()
    let start = clock.now
    _ = try chainFolder.copy(try chainFolder.chain(disk), uuid: copy, timestamp: 3)
    ours.append(milliseconds(clock.now - start))
    try chainFolder.finish(.create(vdi: copy))
    try chainFolder.remove(copy)

    let target = folder.appendingPathComponent("qemu-\(round).vhd").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic", raw, target]
    sync()
    let qemuStart = clock.now
    try process.run()
    process.waitUntilExit()
    qemu.append(milliseconds(clock.now - qemuStart))
    try? FileManager.default.removeItem(atPath: target)
}
print("  rounds:", ours.map { Int($0) }, qemu.map { Int($0) })
ours.removeFirst()
qemu.removeFirst()
let (oursMs, qemuMs) = (median(ours), median(qemu))
print(String(format: "  ours %.0f ms (%.0f MB/s), qemu-img convert %.0f ms (%.0f MB/s): %.2f of qemu-img's speed",
    oursMs, 1073.741824 / oursMs * 1000, qemuMs, 1073.741824 / qemuMs * 1000, qemuMs / oursMs))
