import Testing
import XenAPI
import XenAPIModel
import XenCore
import XenRPC

@Suite("Dispatch")
struct DispatchTests {
    @Test("every custom message in the model has a registered implementation")
    func completeness() async throws {
        let harness = try await ToolstackHarness()
        for cls in DataModel.current.classes {
            for message in cls.messages {
                #expect(harness.toolstack.table.lookup("\(cls.name).\(message.name)", allowAlias: false) != nil,
                        "\(cls.name).\(message.name)")
            }
        }
    }

    @Test("xapi's order of checks: method, parameter count, session, object")
    func errorPrecedence() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        #expect(await harness.call("VM.no_such_call") == .failure(["MESSAGE_METHOD_UNKNOWN", "VM.no_such_call"]))
        #expect(await harness.call("VM.no_such_call", "OpaqueRef:bad") == .failure(["SESSION_INVALID", "OpaqueRef:bad"]))
        #expect(await harness.call("VM.get_record", "OpaqueRef:bad")
            == .failure(["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_record", "1", "0"]))
        #expect(await harness.call("Async.VM.get_record", "OpaqueRef:bad", "x", "y")
            == .failure(["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_record", "1", "2"]))
        #expect(await harness.call("VM.get_record", "OpaqueRef:bad", "x") == .failure(["SESSION_INVALID", "OpaqueRef:bad"]))
        #expect(await harness.call("VM.get_record", session, "OpaqueRef:x") == .failure(["HANDLE_INVALID", "VM", "OpaqueRef:x"]))
        #expect(await harness.call("Async.VM.get_record", session, "OpaqueRef:x")
            == .failure(["Fault", "No async mode for this operation (rpc: VM.get_record)"]))
    }

    @Test("login takes 2, 3 or 4 arguments; other counts and bad passwords are refused")
    func login() async throws {
        let harness = try await ToolstackHarness()
        for params: [RPCValue] in [["root", .string(ToolstackHarness.password)], ["root", .string(ToolstackHarness.password), "1.0"],
                                   ["root", .string(ToolstackHarness.password), "1.0", "tests"]] {
            guard case .success(.string(let ref)) = await harness.toolstack.call(method: "session.login_with_password", params: params)
            else { Issue.record("login with \(params.count) arguments failed"); continue }
            #expect(ref.hasPrefix("OpaqueRef:"))
        }
        #expect(await harness.call("session.login_with_password", "root")
            == .failure(["MESSAGE_PARAMETER_COUNT_MISMATCH", "session.login_with_password", "2", "1"]))
        try await harness.run {
            async let refused = harness.call("session.login_with_password", "root", "wrong")
            await harness.seeded.settle()
            harness.seeded.advance(by: .seconds(4))
            #expect(harness.seeded.sleeperCount == 1, "a failed login answers only after 5 s")
            harness.seeded.advance(by: .seconds(1))
            #expect(await refused == .failure(["SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"]))
            let before = harness.seeded.virtualTime
            let unknownUser = await harness.call("session.login_with_password", "admin", .string(ToolstackHarness.password))
            #expect(unknownUser == .failure(["SESSION_AUTHENTICATION_FAILED", "admin", "Authentication failure"]))
            #expect(harness.seeded.virtualTime - before == .seconds(5), "time moved only as far as the delay")
        }
    }

    @Test("the Class_message alias and listMethods")
    func aliases() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        let pools = try await harness.value("pool_get_all", session)
        #expect(pools.arrayValue?.count == 1)
        guard case .bare(.array(let names)) = await harness.call("system.listMethods") else {
            Issue.record("listMethods")
            return
        }
        #expect(names.contains("event.from"))
        #expect(names.contains("VM.get_all_records_where"))
        #expect(names.contains("network.add_to_other_config"))
    }

    @Test("constructors default what the record leaves out and refuse missing required fields")
    func constructors() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        let network = try await harness.value(
            "network.create", session, ["name_label": "n", "name_description": "", "MTU": "9000", "other_config": [:]])
        let record = try await harness.value("network.get_record", session, network)
        #expect(record["MTU"] == .int(9000))
        #expect(record["bridge"] == "xapi0")  // named as xapi names a bridge the caller leaves out
        #expect(record["VIFs"] == [])
        #expect(record["managed"] == .bool(true))
        let missing = await harness.call("network.create", session, ["name_description": ""])
        guard case .failure(let description) = missing else { Issue.record("create without name_label succeeded"); return }
        #expect(description.first == "INTERNAL_ERROR")
        #expect(try await harness.value("network.get_all", session).arrayValue?.filter { $0 == network }.count == 1)
        #expect(try await harness.value("network.get_all", session).arrayValue?.count == 2, "the management network and this one")
        #expect(await harness.call("network.create", session, ["name_label": .bool(true), "name_description": "", "MTU": "1", "other_config": [:]])
            == .failure(["FIELD_TYPE_ERROR", "name_label"]))
    }

    @Test("map and set helpers behave as xapi's")
    func mapsAndSets() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        let pool = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
        _ = try await harness.value("pool.add_to_other_config", session, pool, "k", "v")
        #expect(await harness.call("pool.add_to_other_config", session, pool, "k", "w")
            == .failure(["MAP_DUPLICATE_KEY", "pool", "other_config", pool.stringValue!, "k"]))
        _ = try await harness.value("pool.remove_from_other_config", session, pool, "missing")
        #expect(try await harness.value("pool.get_other_config", session, pool) == ["k": "v"])
        _ = try await harness.value("pool.add_tags", session, pool, "a")
        _ = try await harness.value("pool.add_tags", session, pool, "a")
        _ = try await harness.value("pool.add_tags", session, pool, "b")
        _ = try await harness.value("pool.remove_tags", session, pool, "a")
        #expect(try await harness.value("pool.get_tags", session, pool) == ["b"])
        #expect(await harness.call("pool.set_master", session, pool, "OpaqueRef:x")
            == .failure(["MESSAGE_METHOD_UNKNOWN", "pool.set_master"]))
    }
}
