import AsyncHTTPClient
import BenchSupport
import Foundation
import Hummingbird
import ServiceLifecycle
import XenAPI
import XenAPIClient
import XenCLI
import XenCore
import XenDB
import XenDBSQLite
import XenHTTP
import XenRPC
import XenSimulation

// xe-bench: issue 15's figure. `xe vm-list` against a pool of 1,000 VMs, each run a whole `xe`
// process (spawn, connect, server-side login, listing, logout, exit), against `VM.get_all_records`
// over the same server in the same run (prepared request bytes, JSON-RPC and XML-RPC, timed until
// the whole response has arrived).
// Run: swift build -c release --product xe   (in the project root, for ../.build/release/xe)
//      cd benchmarks && swift run -c release xe-bench

let xe = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/release/xe").path
guard FileManager.default.isExecutableFile(atPath: xe) else {
    print("build the client first: swift build -c release --product xe (in the project root)")
    exit(1)
}

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xe-bench-\(getpid())")
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

let vmCount = 1_000
try await database.write { (tx: inout Transaction) throws(XenAPIError) in
    for index in 0..<vmCount {
        try tx.insert(
            "VM", ref: "OpaqueRef:" + environment.makeUUID(),
            fields: [
                "uuid": .string(environment.makeUUID()), "name_label": .string("bench-vm-\(index)"),
                "memory_static_max": .int(2_147_483_648), "VCPUs_max": .int(2),
                "other_config": ["folder": "/bench", "base_template_name": "Debian Bookworm 12"],
            ])
    }
}

let port = 18_191
let socketPath = folder.appendingPathComponent("xapi.sock").path
let cli = CLIServer(toolstack: toolstack)
let router = Router()
RPCEndpoints.register(on: router, toolstack: toolstack)
CLIEndpoint.register(on: router, server: cli)
let localRouter = Router()
CLIEndpoint.register(on: localRouter, server: cli, origin: .localSocket)
let tcp = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
let local = Application(router: localRouter, configuration: .init(address: .unixDomainSocket(path: socketPath)))
let serviceGroup = ServiceGroup(
    configuration: .init(services: [tcp, local, BackgroundWorkService(work: background)], logger: .init(label: "xe-bench")))
let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(connectionPool: .init(idleTimeout: .seconds(60))))

/// Runs `xe` with `arguments` once; returns its wall time and the lines it printed.
func runXE(_ arguments: [String], socket: Bool) throws -> (Duration, Int) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: xe)
    process.arguments = arguments
    process.environment = socket ? ["XE_SOCKET": socketPath] : [:]
    let output = Pipe()
    process.standardOutput = output
    let clock = ContinuousClock()
    let start = clock.now
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let elapsed = start.duration(to: clock.now)
    guard process.terminationStatus == 0 else { throw XenAPIError.internalError(message: "xe \(arguments) exited \(process.terminationStatus)") }
    return (elapsed, data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })
}

func median(_ samples: [Duration]) -> Duration { samples.sorted()[samples.count / 2] }
func p90(_ samples: [Duration]) -> Duration { samples.sorted()[samples.count * 9 / 10] }
func ms(_ duration: Duration) -> String {
    String(format: "%.1f ms", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
}

try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await serviceGroup.run() }
    // Wait for both listeners.
    for _ in 0..<200 {
        if (try? runXE(["help", "vm-list"], socket: true)) != nil { break }
        try await _Concurrency.Task.sleep(for: .milliseconds(50))
    }
    let runs = 30
    print("pool: \(vmCount) VMs (+ the control domain); \(runs) runs each, median (p90)")

    let connection = XenAPIConnection(transport: HTTPClientTransport(client: client, port: port), format: .jsonrpc)
    let session = try await XenAPISession.login(connection, user: "root", password: "bench")
    // The bare call: the request's bytes prepared, timed until the whole response has arrived
    // (the server's work and the transfer, not a client's decoding).
    var bare: [String: [Duration]] = [:]
    let transport = HTTPClientTransport(client: client, port: port)
    let jsonBody = JSONRPC.encode([
        "jsonrpc": "2.0", "method": "VM.get_all_records", "params": [.string(session.ref.rawValue)], "id": 1,
    ])
    let xmlBody = Array(
        "<?xml version=\"1.0\"?><methodCall><methodName>VM.get_all_records</methodName><params><param><value><string>\(session.ref.rawValue)</string></value></param></params></methodCall>"
            .utf8)
    for (format, path, body, type) in [
        ("JSON-RPC", "/jsonrpc", jsonBody, "application/json"), ("XML-RPC", "/", xmlBody, "text/xml"),
    ] {
        for _ in 0..<runs {
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await transport.post(path: path, contentType: type, body: body)
            bare[format, default: []].append(start.duration(to: clock.now))
            precondition(response.count > vmCount * 1000)
        }
    }

    var timings: [(String, [Duration], Int)] = []
    for (label, arguments, socket) in [
        ("xe vm-list, local socket", ["vm-list"], true),
        ("xe vm-list --minimal, local socket", ["vm-list", "--minimal"], true),
        ("xe vm-list over TCP (login + logout)", ["vm-list", "-s", "127.0.0.1", "-p", String(port), "--nossl", "-u", "root", "-pw", "bench"], false),
        ("xe help vm-list (no listing: the process floor)", ["help", "vm-list"], true),
    ] {
        var samples: [Duration] = []
        var lines = 0
        for _ in 0..<runs {
            let (elapsed, printed) = try runXE(arguments, socket: socket)
            samples.append(elapsed)
            lines = printed
        }
        timings.append((label, samples, lines))
    }
    for (format, samples) in bare.sorted(by: { $0.key < $1.key }) {
        print("VM.get_all_records over \(format), response bytes in: \(ms(median(samples))) (\(ms(p90(samples))))")
    }
    let bareJSON = min(median(bare["JSON-RPC"]!), median(bare["XML-RPC"]!))
    for (label, samples, lines) in timings {
        let ratio = Double(median(samples).components.attoseconds / 1_000_000_000 + median(samples).components.seconds * 1_000_000_000)
            / Double(bareJSON.components.attoseconds / 1_000_000_000 + bareJSON.components.seconds * 1_000_000_000)
        print("\(label): \(ms(median(samples))) (\(ms(p90(samples)))), \(lines) lines, \(String(format: "%.2f", ratio))x the faster bare call")
    }
    try await client.shutdown()
    exit(0)
}
