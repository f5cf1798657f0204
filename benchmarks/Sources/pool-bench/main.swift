import AsyncHTTPClient
import BenchSupport
import Foundation
import Hummingbird
import ServiceLifecycle
import XenAPI
import XenAPIClient
import XenCore
import XenDB
import XenDBSQLite
import XenHTTP
import XenRPC
import XenSimulation

// pool-bench: the figures of the simulated-pool issue, against a real xapid stack in this process.
//   P3  1,000 VMs created, started and stopped through the API (JSON-RPC, typed client, 16 clients),
//       every commit durable in SQLite; the simulated hypervisor's steps take no time, so the
//       figure is the toolstack's own cost
//   E   planning the evacuation of one host of a 64-host pool running 4,000 VMs
//       (host.get_vms_which_prevent_evacuation, called in process)
// Run: cd benchmarks && swift run -c release pool-bench

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pool-bench-\(getpid())")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let clock = ContinuousClock()
let mib: Int64 = 1 << 20

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// A toolstack on `persistence` with `hosts` simulated hosts whose steps take no time.
func pool(hosts: Int, persistence: any Persistence, background: BackgroundWork) async throws -> (Toolstack, CoreServices) {
    let environment = SystemEnvironment.make(background: background)
    var timings = SimulatedHypervisor.Timings()
    timings.create = .zero
    timings.build = .zero
    timings.pauseOrUnpause = .zero
    timings.destroy = .zero
    timings.saveOrRestore = .zero
    timings.guestShutdown = .zero
    let configuration = ToolstackConfiguration(hostname: "bench", address: "127.0.0.1")
    let services = CoreServices(
        database: try PoolDatabase(persistence: persistence), environment: environment, configuration: configuration,
        credentials: CredentialStore(try RootCredentials.make(password: "bench", salt: environment.randomBytes(16)), save: { _ in }),
        machines: try SimulatedMachines(
            count: hosts, hostname: "bench", address: "127.0.0.1", shape: .init(timings: timings),
            sources: .init(sleep: environment.sleep, makeUUID: environment.makeUUID, randomBytes: environment.randomBytes)
        ).machines,
        storageRoot: FileManager.default.temporaryDirectory.appendingPathComponent("pool-bench-\(getpid())").path)
    let toolstack = try Toolstack(services: services)
    try await toolstack.startUp()
    return (toolstack, services)
}

// P3
let background = BackgroundWork()
let (toolstack, _) = try await pool(
    hosts: 4, persistence: try SQLitePersistence(path: folder.appendingPathComponent("pool.db").path), background: background)
let port = 18_191
let router = Router()
RPCEndpoints.register(on: router, toolstack: toolstack)
let server = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
let serviceGroup = ServiceGroup(
    configuration: .init(services: [server, BackgroundWorkService(work: background)], logger: .init(label: "pool-bench")))
let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(connectionPool: .init(idleTimeout: .seconds(60))))

try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await serviceGroup.run() }
    try await _Concurrency.Task.sleep(for: .milliseconds(500))
    let api = try await XenAPISession.login(
        XenAPIConnection(transport: HTTPClientTransport(client: client, port: port), format: .jsonrpc), user: "root", password: "bench")
    let (vmCount, clients) = (1000, 16)
    let start = clock.now
    try await withThrowingTaskGroup(of: Void.self) { workers in
        for worker in 0..<clients {
            workers.addTask {
                for index in stride(from: worker, to: vmCount, by: clients) {
                    var record = VM()
                    record.nameLabel = "p3-\(index)"
                    (record.memoryStaticMin, record.memoryDynamicMin) = (128 * mib, 128 * mib)
                    (record.memoryDynamicMax, record.memoryStaticMax) = (128 * mib, 128 * mib)
                    (record.vcpusMax, record.vcpusAtStartup) = (1, 1)
                    let vm = try await api.vm.create(args: record)
                    try await api.vm.start(vm: vm, startPaused: false, force: false)
                    try await api.vm.cleanShutdown(vm: vm)
                }
            }
        }
        try await workers.waitForAll()
    }
    let elapsed = seconds(start.duration(to: clock.now))
    print(String(format: "P3 %d VMs created, started and stopped over JSON-RPC by %d clients, durable commits: %.2f s, %.0f operations/s",
                 vmCount, clients, elapsed, Double(3 * vmCount) / elapsed))
    try await client.shutdown()
    await serviceGroup.triggerGracefulShutdown()
    group.cancelAll()
}

// E
let (planner, services) = try await pool(hosts: 64, persistence: MemoryPersistence(), background: BackgroundWork())
let environment = services.environment
let session = RPCValue.string(try await {
    guard case .success(.string(let ref)) = await planner.call(method: "session.login_with_password", params: ["root", "bench"])
    else { throw XenAPIError.internalError(message: "login failed") }
    return ref
}())
let hosts = services.database.snapshot.refs(Host.self).sorted { $0.rawValue < $1.rawValue }
// 4,000 running VMs of 512 MiB, spread evenly, each with its metrics and a guest agent's report:
// records only (planning reads nothing else).
try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
    for index in 0..<4000 {
        let (vm, metrics, guest) = (Ref<VM>("OpaqueRef:" + environment.makeUUID()), Ref<VMMetrics>("OpaqueRef:" + environment.makeUUID()), Ref<VMGuestMetrics>("OpaqueRef:" + environment.makeUUID()))
        try tx.insert(metrics) { metrics in
            metrics.uuid = environment.makeUUID()
            metrics.memoryActual = 512 * mib
        }
        try tx.insert(guest) { guest in
            guest.uuid = environment.makeUUID()
            guest.pvDriversVersion = ["major": "9", "minor": "4"]
        }
        try tx.insert(vm) { record in
            record.uuid = environment.makeUUID()
            record.nameLabel = "e-\(index)"
            (record.memoryStaticMin, record.memoryDynamicMin) = (512 * mib, 512 * mib)
            (record.memoryDynamicMax, record.memoryStaticMax) = (512 * mib, 512 * mib)
            record.powerState = .running
            record.residentOn = hosts[index % hosts.count]
            record.domid = Int64(index + 1)
            record.metrics = metrics
            record.guestMetrics = guest
        }
    }
}
var timings: [Double] = []
for host in hosts.prefix(20) {
    let start = clock.now
    let result = await planner.call(method: "host.get_vms_which_prevent_evacuation", params: [session, host.rpcValue])
    timings.append(seconds(start.duration(to: clock.now)) * 1000)
    guard case .success(let refusals) = result, refusals.structureValue?.isEmpty == true else {
        print("E  unexpected answer: \(result)")
        exit(1)
    }
}
timings.sort()
print(String(format: "E  evacuation plan for one host of 64 with 4,000 running VMs (62 or 63 to place): best %.2f ms, median %.2f ms, worst %.2f ms",
             timings[0], timings[timings.count / 2], timings[timings.count - 1]))
