import Foundation
import Testing
import XenAPI
import XenAPIClient
import XenRPC

/// The typed Swift client against a real `xapid`, over both wire formats: the same login,
/// record, event, error and async checks the Python SDK passes in `tests/wire`.
@Suite("Typed client against xapid", .serialized)
struct ClientTests {
    static let formats: [XenAPIConnection.WireFormat] = [.xmlrpc, .jsonrpc]

    @Test("login, logout, and a wrong password refused", arguments: formats)
    func login(format: XenAPIConnection.WireFormat) async throws {
        let server = try await RunningXapid()
        defer { server.stop() }
        let connection = server.connection(format)
        let session = try await XenAPISession.login(connection, user: "root", password: RunningXapid.password)
        #expect(session.ref.rawValue.hasPrefix("OpaqueRef:"))
        #expect(try await session.session.getThisHost(session.ref) != .null)
        try await session.session.logout()
        await #expect(throws: XenAPIError.sessionInvalid(sessionRef: session.ref.rawValue)) {
            _ = try await session.pool.getAll()
        }
        await #expect(throws: XenAPIError.sessionAuthenticationFailed(uname: "root", message: "Authentication failure")) {
            _ = try await XenAPISession.login(connection, user: "root", password: "wrong")
        }
    }

    @Test("typed records: the pool's coordinator and its software version", arguments: formats)
    func records(format: XenAPIConnection.WireFormat) async throws {
        let server = try await RunningXapid()
        defer { server.stop() }
        let session = try await XenAPISession.login(server.connection(format), user: "root", password: RunningXapid.password)
        let pool = try #require(try await session.pool.getAll().first)
        let master = try await session.pool.getMaster(pool)
        let host = try await session.host.getRecord(master)
        #expect(host.enabled)
        #expect(host.apiVersionMajor == 2 && host.apiVersionMinor == 21)
        let xapi = try #require(host.softwareVersion["xapi"]?.split(separator: ".").first.flatMap { Int($0) })
        #expect(xapi >= 24, "XenServer 8's xapi version")
        let dom0 = try await session.vm.getRecord(host.controlDomain)
        #expect(dom0.isControlDomain && dom0.powerState == .running && dom0.domid == 0)
        let all = try await session.vm.getAllRecords()
        #expect(all[host.controlDomain] == dom0)
    }

    @Test("create, change and destroy an object; events follow each step", arguments: formats)
    func eventsFollowChanges(format: XenAPIConnection.WireFormat) async throws {
        let server = try await RunningXapid()
        defer { server.stop() }
        let session = try await XenAPISession.login(server.connection(format), user: "root", password: RunningXapid.password)
        let start = try await session.event.from(classes: ["network"], token: "", timeout: 0)
        var events = session.events(["network"], from: try #require(start["token"]?.stringValue), timeout: 5)
            .makeAsyncIterator()
        var network = Network()
        network.nameLabel = "lab"
        network.mtu = 1500
        let ref = try await session.network.create(args: network)
        let added = try #require(try await events.next())
        #expect(added.className == "network" && added.operation == .add && added.ref == ref.rawValue)
        #expect(added.snapshot?["name_label"] == "lab")
        try await session.network.setNameLabel(ref, value: "renamed")
        try await session.network.addToOtherConfig(ref, key: "owner", value: "tests")
        #expect(try await session.network.getRecord(ref).otherConfig == ["owner": "tests"])
        let modified = try #require(try await events.next())
        #expect(modified.operation == .mod && modified.snapshot?["name_label"] == "renamed")
        try await session.network.destroy(ref)
        let deleted = try #require(try await events.next())
        #expect(deleted.operation == .del && deleted.ref == ref.rawValue && deleted.snapshot == nil)
    }

    @Test("errors arrive as XenAPIError with xapi's code and arguments", arguments: formats)
    func errors(format: XenAPIConnection.WireFormat) async throws {
        let server = try await RunningXapid()
        defer { server.stop() }
        let session = try await XenAPISession.login(server.connection(format), user: "root", password: RunningXapid.password)
        await #expect(throws: XenAPIError.handleInvalid(className: "VM", handle: "OpaqueRef:nope")) {
            _ = try await session.vm.getRecord(Ref("OpaqueRef:nope"))
        }
        await #expect(throws: XenAPIError.uuidInvalid(className: "host", uuid: "nope")) {
            _ = try await session.host.getByUUID(uuid: "nope")
        }
        await #expect(throws: XenAPIError.messageMethodUnknown(method: "VM.no_such_call")) {
            let _: RPCValue = try await session.invoke("VM.no_such_call", [])
        }
    }

    @Test("Async calls return a task whose result the client awaits", arguments: formats)
    func asyncCalls(format: XenAPIConnection.WireFormat) async throws {
        let server = try await RunningXapid()
        defer { server.stop() }
        let session = try await XenAPISession.login(server.connection(format), user: "root", password: RunningXapid.password)
        var network = Network()
        network.nameLabel = "async"
        let task = try await session.network.asyncCreate(args: network)
        let ref = try await session.result(of: task, as: Ref<Network>.self)
        #expect(try await session.network.getNameLabel(ref) == "async")
        #expect(try await session.task.getStatus(task) == .success)
        let failing = try await session.network.asyncDestroy(Ref("OpaqueRef:gone"))
        await #expect(throws: XenAPIError.handleInvalid(className: "network", handle: "OpaqueRef:gone")) {
            _ = try await session.result(of: failing)
        }
    }
}
