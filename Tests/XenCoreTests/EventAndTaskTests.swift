import Testing
import XenAPI
import XenCore
import XenRPC

@Suite("Events and tasks")
struct EventAndTaskTests {
    private func events(_ batch: RPCValue) -> [(String, String, String)] {
        (batch["events"]?.arrayValue ?? []).map {
            ($0["class"]?.stringValue ?? "", $0["operation"]?.stringValue ?? "", $0["ref"]?.stringValue ?? "")
        }
    }

    @Test("an empty token returns every object as add; later tokens see mod and del only")
    func eventFrom() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        let first = try await harness.value("event.from", session, ["network", "pool"], "", .double(0))
        #expect(events(first).map(\.0) == ["pool", "network"])
        #expect(events(first).map(\.1) == ["add", "add"])
        #expect(first["valid_ref_counts"]?["host_cpu"] == .int32(8))
        let token = try #require(first["token"])
        let net = try await harness.value(
            "network.create", session, ["name_label": "a", "name_description": "", "MTU": "1500", "other_config": [:]])
        let temporary = try await harness.value(
            "network.create", session, ["name_label": "b", "name_description": "", "MTU": "1500", "other_config": [:]])
        _ = try await harness.value("network.destroy", session, temporary)
        let second = try await harness.value("event.from", session, ["network"], token, .double(0))
        #expect(events(second).map { $0.1 + " " + $0.2 } == ["add " + net.stringValue!])
        let third = try await harness.value("event.from", session, ["network"], try #require(second["token"]), .double(0))
        #expect(events(third).isEmpty)
        _ = try await harness.value("network.set_name_label", session, net, "renamed")
        _ = try await harness.value("network.destroy", session, net)
        let fourth = try await harness.value("event.from", session, ["*"], try #require(second["token"]), .double(0))
        #expect(events(fourth).map(\.1) == ["del"])
        #expect(fourth["events"]?.arrayValue?.first?["snapshot"] == nil)
    }

    @Test("tokens and subscriptions are validated")
    func eventErrors() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        #expect(await harness.call("event.from", session, ["vm"], "garbage", .double(0))
            == .failure(["EVENT_FROM_TOKEN_PARSE_FAILURE", "garbage"]))
        #expect(await harness.call("event.from", session, ["v m"], "", .double(0))
            == .failure(["EVENT_SUBSCRIPTION_PARSE_FAILURE", "v m"]))
        #expect(await harness.call("event.next", session) == .failure(["SESSION_NOT_REGISTERED", session.stringValue!]))
        #expect(await harness.call("event.inject", session, "VM", "OpaqueRef:x") == .failure(["HANDLE_INVALID", "VM", "OpaqueRef:x"]))
    }

    @Test("a waiting event.from wakes on a matching commit, and times out in virtual time otherwise")
    func waking() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        let token = try #require(try await harness.value("event.from", session, ["pool"], "", .double(0))["token"])
        let pool = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
        try await harness.run {
            let start = harness.seeded.virtualTime
            #expect(events(try await harness.value("event.from", session, ["pool"], token, .double(30))).isEmpty)
            #expect(harness.seeded.virtualTime - start == .seconds(30), "timed out after 30 s of virtual time")
            async let woken = harness.value("event.from", session, ["pool"], token, .double(3600))
            await harness.seeded.settle()
            _ = try await harness.value("pool.set_name_label", session, pool, "lab")
            let batch = try await woken
            #expect(events(batch).map(\.1) == ["mod"])
            #expect(batch["events"]?.arrayValue?.first?["snapshot"]?["name_label"] == "lab")
            #expect(harness.seeded.virtualTime - start == .seconds(30), "woken by the commit, not by the clock")
        }
    }

    @Test("register/next returns changes since the previous next")
    func legacyQueue() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        _ = try await harness.value("event.register", session, ["pool"])
        let pool = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
        _ = try await harness.value("pool.set_name_description", session, pool, "one")
        let batch = try await harness.value("event.next", session)
        #expect(batch.arrayValue?.map { $0["operation"] } == ["mod"])
        _ = try await harness.value("event.unregister", session, ["pool"])
    }

    @Test("an Async call runs as a task whose result is an XML-RPC fragment")
    func asyncTask() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        try await harness.run {
            let task = try await harness.value(
                "Async.network.create", session, ["name_label": "a", "name_description": "", "MTU": "1500", "other_config": [:]])
            #expect(try await harness.waitForTask(session, task) == "success")
            let result = try #require(try await harness.value("task.get_result", session, task).stringValue)
            let networks = try await harness.value("network.get_by_name_label", session, "a")
            #expect(result == "<value>\(networks.arrayValue![0].stringValue!)</value>")
            #expect(try await harness.value("task.get_progress", session, task) == .double(1))
            let failing = try await harness.value("Async.network.destroy", session, "OpaqueRef:gone")
            #expect(try await harness.waitForTask(session, failing) == "failure")
            #expect(try await harness.value("task.get_error_info", session, failing) == ["HANDLE_INVALID", "network", "OpaqueRef:gone"])
            _ = try await harness.value("task.destroy", session, task)
            #expect(await harness.call("task.get_status", session, task) == .failure(["HANDLE_INVALID", "task", task.stringValue!]))
        }
    }

    @Test("logging out invalidates the session")
    func logout() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        _ = try await harness.value("session.logout", session)
        #expect(await harness.call("pool.get_all", session) == .failure(["SESSION_INVALID", session.stringValue!]))
    }
}
