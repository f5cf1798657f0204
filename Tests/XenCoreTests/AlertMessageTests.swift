import Testing
import XenAPI
import XenCore
import XenRPC

@Suite("Alerts (message class)")
struct AlertMessageTests {
    @Test("create, query by object and time, and destroy")
    func lifecycle() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        let host = try #require(try await harness.value("host.get_all", session).arrayValue?.first)
        let hostUUID = try await harness.value("host.get_uuid", session, host)
        let before = RPCValue.dateTime("20000101T00:00:00Z")
        let alert = try await harness.value("message.create", session, "HA_HOST_FAILED", "2", "host", hostUUID, "body text")
        let record = try await harness.value("message.get_record", session, alert)
        #expect(record["cls"] == "Host")
        #expect(record["priority"] == .int(2))
        #expect(record["body"] == "body text")
        let forHost = try await harness.value("message.get", session, "Host", hostUUID, before)
        #expect(forHost.structureValue?.keys.elementsEqual([alert.stringValue!]) == true)
        let none = try await harness.value("message.get", session, "VM", hostUUID, before)
        #expect(none.structureValue?.isEmpty == true)
        let since = try await harness.value("message.get_since", session, before)
        #expect(since.structureValue?.count == 1)
        let later = try await harness.value("message.get_since", session, .dateTime("20990101T00:00:00Z"))
        #expect(later.structureValue?.isEmpty == true)
        #expect(await harness.call("message.create", session, "X", "1", "VM", "no-such-uuid", "")
            == .failure(["UUID_INVALID", "VM", "no-such-uuid"]))
        #expect(await harness.call("message.create", session, "X", "1", "Nonsense", hostUUID, "")
            == .failure(["INVALID_VALUE", "cls", "Nonsense"]))
        _ = try await harness.value("message.destroy_many", session, [alert])
        #expect(try await harness.value("message.get_all", session) == [])
        #expect(await harness.call("message.destroy", session, alert) == .failure(["HANDLE_INVALID", "message", alert.stringValue!]))
    }
}
