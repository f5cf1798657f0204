import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import ServiceLifecycle
import XenCLI
import XenCore
import XenDB
import XenDBSQLite
import XenHTTP
import XenSimulation
import XenQEMU

/// `xapid`: the swift-xapi daemon — one pool with this host as its coordinator, on the embedded
/// default (SQLite in the data folder, simulated host).
@main
struct Xapid: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xapid", abstract: "A XenServer-compatible pool toolstack (XenAPI over XML-RPC and JSON-RPC).")

    @Option(name: .long, help: "Address to serve plain HTTP on, as HOST:PORT.")
    var listen = "127.0.0.1:8080"

    @Option(
        name: .customLong("https-listen"),
        help: "Address to serve HTTPS on (self-signed certificate made on first start), as HOST:PORT, or 'off'.")
    var httpsListen = "127.0.0.1:8443"

    @Option(
        name: .customLong("unix-socket"),
        help: "Also serve on this Unix socket, pre-authenticated as root (XenServer uses /var/lib/xcp/xapi).")
    var unixSocket: String?

    @Option(name: .customLong("data-dir"), help: "Folder holding the pool database and the root password hash.")
    var dataDir = "xapi-data"

    @Option(
        name: .customLong("root-password"),
        help: "Password for user root (else XAPI_ROOT_PASSWORD, else the stored one, else a generated one).")
    var rootPassword: String?

    @Option(name: .customLong("hostname"), help: "Name this host reports (default: the machine's host name).")
    var hostname: String?

    @Option(
        name: .customLong("simulated-hosts"),
        help: "How many simulated hosts the pool has, this one the coordinator (default 1; 3 with --demo).")
    var simulatedHosts: Int?

    @Flag(
        name: .customLong("demo"),
        help: "A pool to look at: three hosts unless told otherwise, and on first start a few VMs installed from templates and started.")
    var demo = false

    @Option(
        name: .customLong("simulated-host-memory"),
        help: "Memory of each simulated host, in bytes or with a unit (64GiB, 512MiB).")
    var simulatedHostMemory = "64GiB"

    @Option(
        name: .customLong("simulated-boot-time"),
        help: "Seconds a simulated host takes to boot (default 30); an upgrade takes twice as long.")
    var simulatedBootTime: Double = 30

    @Option(
        name: .customLong("backend"),
        help: "simulator (whole pools in this process, the default) or qemu (this machine is the one host; each running VM is a QEMU process).")
    var backend = "simulator"

    @Option(
        name: .customLong("accelerator"),
        help: "With --backend qemu: tcg (QEMU's translator, works everywhere), kvm, or auto (kvm once a canary guest has booted under it, else tcg).")
    var accelerator = "tcg"

    @Option(
        name: .customLong("canary-guest"),
        help: "With --accelerator auto: the folder of the guest to try KVM with (what scripts/build-test-guest prints).")
    var canaryGuest: String?

    @Option(
        name: .customLong("network-namespace"),
        help: "With --backend qemu: the network namespace (made if missing) for the bridges of internal networks, their taps and the QEMU processes; default the machine's own.")
    var networkNamespace: String?

    @Option(name: .customLong("login-failure-delay"), help: "Seconds a failed login waits before answering.")
    var loginFailureDelay: Double = 5

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "notice"

    @Option(
        name: .customLong("repository-domain-name-allowlist"),
        help: "Domains update repositories may be on, comma-separated (xapi's setting of that name; default xenserver.com; empty allows any).")
    var repositoryDomainNameAllowlist = UpdateSettings.defaultAllowlist.joined(separator: ",")

    @Option(
        name: .customLong("repository-gpgkey-dir"),
        help: "Folder of the public keys repositories are checked with (for /etc/pki/rpm-gpg; default <data-dir>/rpm-gpg).")
    var repositoryGpgkeyDir: String?

    @Option(
        name: .customLong("repository-gpgkey-name"),
        help: "Key file, in that folder, for bundles and repositories without gpgkey_path (default RPM-GPG-KEY-XenServer).")
    var repositoryGpgkeyName = UpdateSettings.defaultKeyName

    func run() async throws {
        let endpoint = try ListenAddress(parsing: listen)
        let secureEndpoint = httpsListen == "off" ? nil : try ListenAddress(parsing: httpsListen)
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let background = BackgroundWork()
        let environment = SystemEnvironment.make(background: background)
        let credentials = try RootPasswordFile(folder: dataDir).credentials(
            given: rootPassword ?? ProcessInfo.processInfo.environment["XAPI_ROOT_PASSWORD"], environment: environment)
        let database = try PoolDatabase(persistence: SQLitePersistence(path: dataDir + "/pool.db"))
        let name = hostname ?? ProcessInfo.processInfo.hostName
        var configuration = ToolstackConfiguration(
            hostname: name, address: endpoint.host, loginFailureDelay: .milliseconds(Int64(loginFailureDelay * 1000)))
        configuration.hostBootTime = .milliseconds(Int64(simulatedBootTime * 1000))
        guard backend == "simulator" || backend == "qemu" else { throw ValidationError("--backend must be simulator or qemu") }
        guard self.accelerator == "auto" || QEMUAccelerator(rawValue: self.accelerator) != nil else {
            throw ValidationError("--accelerator must be tcg, kvm or auto")
        }
        var accelerator = QEMUAccelerator(rawValue: self.accelerator) ?? .tcg
        if backend == "qemu", (self.simulatedHosts ?? 1) != 1 {
            throw ValidationError("--backend qemu runs one host: this machine")
        }
        let simulatedHosts = self.simulatedHosts ?? (demo && backend == "simulator" ? 3 : 1)
        guard (1...1024).contains(simulatedHosts) else {
            throw ValidationError("--simulated-hosts must be between 1 and 1024")
        }
        guard let hostMemory = ByteSize.parse(simulatedHostMemory), hostMemory > configuration.controlDomainMemory else {
            throw ValidationError("--simulated-host-memory must be a size above the control domain's 4GiB, like 64GiB")
        }
        let machines = try SimulatedMachines(
            count: simulatedHosts, hostname: name, address: endpoint.host,
            shape: .init(memory: hostMemory, reservedMemory: configuration.controlDomainMemory),
            sources: .init(sleep: environment.sleep, makeUUID: environment.makeUUID, randomBytes: environment.randomBytes),
            storage: try SimulationFolder(path: dataDir + "/simulated-hosts"))
        var hostMachines = machines.machines
        var qemu: QEMUHypervisor?
        if backend == "qemu", self.accelerator == "auto" {
            let canary = QEMUCanary(guest: canaryGuest, folder: dataDir + "/qemu-canary", sleep: environment.sleep)
            let (chosen, reason) = await canary.choose()
            accelerator = chosen
            announce("accelerator \(chosen.rawValue): \(reason)")
        }
        if backend == "qemu" {
            // The machine itself is the host: its inventory and packages stay those kept in the
            // data folder; its VMs run as QEMU processes.
            let hypervisor = QEMUHypervisor(
                settings: QEMUHostSettings(runRoot: dataDir + "/qemu", accelerator: accelerator, networkNamespace: networkNamespace),
                work: .init(
                    submit: { job in background.submit(job) }, isFinishing: { background.isFinishing }, sleep: environment.sleep,
                    now: environment.now))
            await hypervisor.start()
            hostMachines[0].hypervisor = hypervisor
            qemu = hypervisor
        }
        let roleFile = PoolRoleFile(folder: dataDir)
        let role = PoolRole(
            try roleFile.load(), save: { try roleFile.save($0) },
            startAgainAsNewPool: {
                // Once the coordinator has its answer, as a XenServer host reboots after an eject.
                background.submit {
                    try? await environment.sleep(.milliseconds(300))
                    roleFile.startAgainAsNewPool()
                }
            })
        let services = CoreServices(
            database: database, environment: environment, configuration: configuration, credentials: credentials,
            machines: hostMachines, rack: backend == "simulator" ? machines : nil,
            peers: XenAPIPeers(ownAddress: "http://\(endpoint.host):\(endpoint.port)"), role: role,
            storageRoot: URL(fileURLWithPath: dataDir).standardizedFileURL.path + "/sr",
            updates: UpdateSettings(
                domainAllowlist: repositoryDomainNameAllowlist.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty },
                gpgKeyDirectory: repositoryGpgkeyDir ?? dataDir + "/rpm-gpg", defaultKeyName: repositoryGpgkeyName,
                mirrorRoot: URL(fileURLWithPath: dataDir).standardizedFileURL.path + "/update-mirror",
                openSource: { access in try HTTPRepositorySource(access) }))
        let toolstack = try Toolstack(services: services)
        if let member = role.member {
            announce("a member of the pool at \(member.address): every call is answered HOST_IS_SLAVE")
        } else {
            try await toolstack.startUp()
            if demo { try await PoolDemo.populate(services) }
        }
        if let qemu {
            // After storage recovery (in `startUp`), which finishes what a crash left half done
            // to disk files; a QEMU host is never a pool member, which skips it.
            if role.member == nil { await qemu.serveAdoptedDisks() }
            background.submit { await DomainWatch.run(services, interval: .milliseconds(200)) }
            announce("running VMs as QEMU processes (accelerator \(accelerator.rawValue))")
        }

        var logger = Logger(label: "xapid")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        let router = Router()
        let cli = CLIServer(toolstack: toolstack)
        RPCEndpoints.register(on: router, toolstack: toolstack)
        DiskTransferEndpoints.register(on: router, toolstack: toolstack)
        UpdateEndpoints.register(on: router, toolstack: toolstack)
        DatabaseBackupEndpoints.register(on: router, toolstack: toolstack)
        CLIEndpoint.register(on: router, server: cli)
        let app = Application(
            router: router, configuration: .init(address: .hostname(endpoint.host, port: endpoint.port)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? endpoint.port
                announce("serving XenAPI on http://\(endpoint.host):\(port)/ (XML-RPC on / and /RPC2, JSON-RPC on /jsonrpc)")
                announce("log in as user root; data in \(dataDir)")
            }, logger: logger)
        var runners: [any Service] = [app, BackgroundWorkService(work: background)]
        if let secureEndpoint {
            let tls = try SelfSignedCertificate(folder: dataDir).loadOrCreate(hostname: name, environment: environment)
            runners.append(
                Application(
                    router: router, server: try .tls(.http1(), tlsConfiguration: tls),
                    configuration: .init(address: .hostname(secureEndpoint.host, port: secureEndpoint.port)),
                    onServerRunning: { channel in
                        announce("serving XenAPI on https://\(secureEndpoint.host):\(channel.localAddress?.port ?? secureEndpoint.port)/ (self-signed certificate)")
                    }, logger: logger))
        }
        // The pre-authenticated socket must never be reachable by others, not even for the moment
        // between its creation and a chmod: it is created under a umask that leaves it 0600.
        if let unixSocket {
            try? FileManager.default.removeItem(atPath: unixSocket)
            let socketUmask = umask(0o177)
            let localRouter = Router()
            RPCEndpoints.register(on: localRouter, toolstack: toolstack, origin: .localSocket)
            DiskTransferEndpoints.register(on: localRouter, toolstack: toolstack)
            UpdateEndpoints.register(on: localRouter, toolstack: toolstack)
            DatabaseBackupEndpoints.register(on: localRouter, toolstack: toolstack)
            CLIEndpoint.register(on: localRouter, server: cli, origin: .localSocket)
            runners.append(
                Application(
                    router: localRouter, configuration: .init(address: .unixDomainSocket(path: unixSocket)),
                    onServerRunning: { _ in
                        umask(socketUmask)
                        chmod(unixSocket, 0o600)
                        announce("serving XenAPI on the local socket \(unixSocket) (pre-authenticated as root)")
                    }, logger: logger))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: runners, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        try database.checkpoint()
        announce("stopped")
    }
}

/// Prints one line straight to standard output (unbuffered, so scripts waiting for it see it).
func announce(_ line: String) {
    FileHandle.standardOutput.write(Data("xapid: \(line)\n".utf8))
}
