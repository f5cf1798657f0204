import AsyncHTTPClient
import BenchSupport
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import XenAPI
import XenAPIClient
import XenCore
import XenDB
import XenDBSQLite
import XenHTTP
import XenRPC
import XenSimulation

// xapi-bench: the figures of issue 2, measured against a real xapid stack in this process.
// P1 and P2 send prepared bytes (they compare with a bare handler and with the codec alone);
// login, P8 and D go through the typed client (XenAPIClient) as any Swift program would.
//   P1  VM.get_record calls/s over JSON-RPC with keep-alive, against a bare Hummingbird handler
//   P2  VM.get_all_records with 10,000 VMs over XML-RPC, against encoding the same records alone
//   P8  event.from wake-up after a commit (p50, p99)
//   D   durable single-field set calls/s (SQLite, synchronous=FULL), one client and four clients
// Run: cd benchmarks && swift run -c release xapi-bench

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xapi-bench-\(getpid())")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }

let background = BackgroundWork()
let environment = SystemEnvironment.make(background: background)
let database = try PoolDatabase(persistence: SQLitePersistence(path: folder.appendingPathComponent("pool.db").path))
let configuration = ToolstackConfiguration(hostname: "bench", address: "127.0.0.1")
let services = CoreServices(
    database: database, environment: environment, configuration: configuration,
    credentials: CredentialStore(try RootCredentials.make(password: "bench", salt: environment.randomBytes(16)), save: { _ in }),
    machines: try SimulatedMachines(
        count: 1, hostname: configuration.hostname, address: configuration.address, shape: .init(),
        sources: .init(sleep: environment.sleep, makeUUID: environment.makeUUID, randomBytes: environment.randomBytes)
    ).machines,
    storageRoot: folder.appendingPathComponent("sr").path)
let toolstack = try Toolstack(services: services)
try await toolstack.startUp()

// 10,000 halted VMs, written in one transaction.
let vmCount = 10_000
var vmRefs: [String] = []
try await database.write { (tx: inout Transaction) throws(XenAPIError) in
    for index in 0..<vmCount {
        let ref = "OpaqueRef:" + environment.makeUUID()
        vmRefs.append(ref)
        try tx.insert(
            "VM", ref: ref,
            fields: [
                "uuid": .string(environment.makeUUID()), "name_label": .string("bench-vm-\(index)"),
                "memory_static_max": .int(2_147_483_648), "VCPUs_max": .int(2),
                "other_config": ["folder": "/bench", "base_template_name": "Debian Bookworm 12"],
                "platform": ["acpi": "1", "apic": "true", "cores-per-socket": "2"],
            ])
    }
}

// XAPI_BENCH_PROFILE=encode: only encode the 10,000 records repeatedly (for a profiler).
if ProcessInfo.processInfo.environment["XAPI_BENCH_PROFILE"] == "encode" {
    let records = database.snapshot.allRecords("VM")
    var total = 0
    for _ in 0..<20 { total += XMLRPCEncoder.success(records).count }
    print("encoded \(total) bytes")
    exit(0)
}

// XAPI_BENCH_PROFILE=set: only durable single-field sets in process (for a profiler).
if ProcessInfo.processInfo.environment["XAPI_BENCH_PROFILE"] == "set" {
    let pool = database.snapshot.refs("pool")[0]
    let clock = ContinuousClock()
    let start = clock.now
    for index in 0..<5000 {
        try await database.write { (tx: inout Transaction) throws(XenAPIError) in
            try tx.set("pool", ref: pool, field: "name_description", value: .string("profile \(index)"))
        }
    }
    print("5000 durable sets in \(start.duration(to: clock.now))")
    exit(0)
}

let ourPort = 18_181
let barePort = 18_182
let router = Router()
RPCEndpoints.register(on: router, toolstack: toolstack)
let ours = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: ourPort)))
let bareRouter = Router()
let cannedBody = Array(#"{"jsonrpc":"2.0","result":"OpaqueRef:00000000-0000-0000-0000-000000000000","id":1}"#.utf8)
bareRouter.post("/jsonrpc") { request, _ -> Response in
    var request = request
    _ = try await request.collectBody(upTo: 1 << 20)
    return Response(
        status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: cannedBody)))
}
let bare = Application(router: bareRouter, configuration: .init(address: .hostname("127.0.0.1", port: barePort)))
let serviceGroup = ServiceGroup(
    configuration: .init(services: [ours, bare, BackgroundWorkService(work: background)], logger: .init(label: "bench")))

let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(connectionPool: .init(idleTimeout: .seconds(60))))

func post(_ port: Int, _ path: String, _ body: [UInt8], contentType: String) async throws -> [UInt8] {
    try await HTTPClientTransport(client: client, port: port).post(path: path, contentType: contentType, body: body)
}

func json(_ method: String, _ params: [RPCValue]) -> [UInt8] {
    JSONRPC.encode(["jsonrpc": "2.0", "method": .string(method), "params": .array(params), "id": 1])
}

/// Calls per second with `connections` clients each looping for `seconds`.
func throughput(connections: Int, seconds: Double, _ call: @escaping @Sendable () async throws -> Void) async throws -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = start + .milliseconds(Int64(seconds * 1000))
    let total = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<connections {
            group.addTask {
                var count = 0
                while clock.now < deadline {
                    try await call()
                    count += 1
                }
                return count
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = start.duration(to: clock.now)
    return Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await serviceGroup.run() }
    try await _Concurrency.Task.sleep(for: .milliseconds(500))
    let connection = XenAPIConnection(transport: HTTPClientTransport(client: client, port: ourPort), format: .jsonrpc)
    let api = try await XenAPISession.login(connection, user: "root", password: "bench")
    let session = api.ref.rawValue
    let clock = ContinuousClock()

    // P1
    let vm = RPCValue.string(vmRefs[0])
    let getRecord = json("VM.get_record", [.string(session), vm])
    let bareRate = try await throughput(connections: 4, seconds: 3) {
        _ = try await post(barePort, "/jsonrpc", getRecord, contentType: "application/json")
    }
    let ourRate = try await throughput(connections: 4, seconds: 3) {
        _ = try await post(ourPort, "/jsonrpc", getRecord, contentType: "application/json")
    }
    print(String(format: "P1 VM.get_record over JSON-RPC, 4 keep-alive connections: %.0f calls/s; bare Hummingbird handler: %.0f calls/s; ratio %.2f", ourRate, bareRate, ourRate / bareRate))

    // P2
    let getAll = XMLRPCEncoder.call(method: "VM.get_all_records", params: [.string(session)])
    var callTimes: [Double] = []
    var encodeTimes: [Double] = []
    var buildTimes: [Double] = []
    var bytes = 0
    for _ in 0..<5 {
        let start = clock.now
        bytes = try await post(ourPort, "/RPC2", getAll, contentType: "text/xml").count
        callTimes.append(milliseconds(start.duration(to: clock.now)))
        let buildStart = clock.now
        let records = database.snapshot.allRecords("VM")
        buildTimes.append(milliseconds(buildStart.duration(to: clock.now)))
        // The codec alone, the way the server runs it: chunked, each chunk handed off and dropped.
        let encodeStart = clock.now
        let counter = ByteCounter()
        XMLRPCEncoder.success(records, chunkSize: RPCEndpoints.chunkSize) { counter.add($0.count) }
        encodeTimes.append(milliseconds(encodeStart.duration(to: clock.now)))
        precondition(counter.total > 0)
    }
    print(String(format: "P2 VM.get_all_records, %d VMs over XML-RPC (%.1f MiB): best %.1f ms, median %.1f ms; encoding the records alone best %.1f ms (ratio %.2f); building them from rows best %.1f ms",
                 database.snapshot.count("VM"), Double(bytes) / 1_048_576, callTimes.min()!, percentile(callTimes, 0.5), encodeTimes.min()!, callTimes.min()! / encodeTimes.min()!, buildTimes.min()!))

    // P8
    let pool = try require_(try await api.pool.getAll().first)
    var latencies: [Double] = []
    var token = try await api.event.from(classes: ["pool"], token: "", timeout: 0)["token"]?.stringValue ?? ""
    // The waiter has a connection of its own that notes when the reply's bytes arrive: the
    // figure is the server's wake-up, not the client's JSON decoding of the reply.
    let timing = ArrivalTimingTransport(HTTPClientTransport(client: client, port: ourPort))
    let waiting = XenAPISession(connection: XenAPIConnection(transport: timing, format: .jsonrpc), ref: api.ref)
    for index in 0..<300 {
        let since = token
        let waiter = _Concurrency.Task { () -> (ContinuousClock.Instant, RPCValue) in
            let batch = try await waiting.event.from(classes: ["pool"], token: since, timeout: 30)
            return (timing.lastArrival ?? clock.now, batch)
        }
        try await _Concurrency.Task.sleep(for: .milliseconds(3))
        _ = await toolstack.call(method: "pool.set_name_description", params: [.string(session), pool.rpcValue, .string("wake \(index)")])
        let committed = clock.now
        let (received, batch) = try await waiter.value
        latencies.append(milliseconds(committed.duration(to: received)))
        token = batch["token"]?.stringValue ?? token
    }
    print(String(format: "P8 event.from wake-up after a commit, %d samples: p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                 latencies.count, percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.max()!))

    // D
    for connections in [1, 4, 16] {
        let rate = try await throughput(connections: connections, seconds: 3) {
            try await api.pool.setNameDescription(pool, value: "durable")
        }
        print(String(format: "D  durable pool.set_name_description over JSON-RPC, %d client(s): %.0f calls/s", connections, rate))
    }

    // The same durable set without HTTP, to separate the database's cost from the wire's.
    let inProcessStart = clock.now
    for index in 0..<5000 {
        _ = await toolstack.call(method: "pool.set_name_description", params: [.string(session), pool.rpcValue, .string("direct \(index)")])
    }
    let inProcessRate = 5000 / (milliseconds(inProcessStart.duration(to: clock.now)) / 1000)
    print(String(format: "D  the same set called in process (no HTTP), sequential: %.0f calls/s", inProcessRate))
    let concurrentRate = try await throughput(connections: 16, seconds: 3) {
        _ = await toolstack.call(method: "pool.set_name_description", params: [.string(session), pool.rpcValue, "concurrent"])
    }
    print(String(format: "D  the same set called in process by 16 concurrent callers (group commit): %.0f calls/s", concurrentRate))

    try await client.shutdown()
    await serviceGroup.triggerGracefulShutdown()
    group.cancelAll()
}

func require_<T>(_ value: T?) throws -> T {
    guard let value else { throw XenAPIError.internalError(message: "missing value") }
    return value
}

/// Counts the bytes an encoder hands over (touched from one thread only).
final class ByteCounter: @unchecked Sendable {
    var total = 0
    func add(_ count: Int) { total += count }
}
