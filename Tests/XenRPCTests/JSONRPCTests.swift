import Testing
import XenRPC

@Suite("JSON-RPC codec")
struct JSONRPCTests {
    @Test("v1 and v2 requests")
    func requests() throws {
        let v2 = try JSONRPC.decodeRequest(Array(#"{"jsonrpc":"2.0","method":"VM.get_all","params":["s", 5, "5", true, 1.5, null],"id":3}"#.utf8))
        #expect(v2.version == .v2)
        #expect(v2.id == .number(3))
        #expect(v2.params == [.string("s"), .int(5), .string("5"), .bool(true), .double(1.5), .nil])
        let v1 = try JSONRPC.decodeRequest(Array(#"{"method":"session.login_with_password","params":["root","x"],"id":"abc"}"#.utf8))
        #expect(v1.version == .v1)
        #expect(v1.id == .string("abc"))
        let noParams = try JSONRPC.decodeRequest(Array(#"{"jsonrpc":"2.0","method":"m","id":1}"#.utf8))
        #expect(noParams.params.isEmpty)
    }

    @Test(
        "malformed requests",
        arguments: [
            #"{"jsonrpc":"2.0","method":"m","params":[]}"#, #"{"jsonrpc":"1.5","method":"m","params":[],"id":1}"#,
            #"{"method":7,"params":[],"id":1}"#, #"{"method":"m","id":1}"#, #"[1,2]"#, "{not json", "",
            #"{"method":"m","params":[],"id":true}"#,
        ])
    func malformed(_ text: String) {
        #expect(throws: JSONRPCParseError.self) { try JSONRPC.decodeRequest(Array(text.utf8)) }
    }

    @Test("responses in xapi's key order")
    func responses() {
        let ok = String(decoding: JSONRPC.success(.int(1 << 40), version: .v2, id: .number(3)), as: UTF8.self)
        #expect(ok == #"{"jsonrpc":"2.0","result":1099511627776,"id":3}"#)
        let v1 = String(decoding: JSONRPC.failure(["SESSION_INVALID", "r"], version: .v1, id: .string("x")), as: UTF8.self)
        #expect(v1 == #"{"result":null,"error":["SESSION_INVALID","r"],"id":"x"}"#)
        let v2 = String(decoding: JSONRPC.failure(["HANDLE_INVALID", "VM", "r"], version: .v2, id: .number(1)), as: UTF8.self)
        #expect(v2 == #"{"jsonrpc":"2.0","error":{"code":1,"message":"HANDLE_INVALID","data":["VM","r"]},"id":1}"#)
        let escaped = String(decoding: JSONRPC.encode(.string("a\"\\\n\u{1}é")), as: UTF8.self)
        #expect(escaped == "\"a\\\"\\\\\\n\\u0001é\"")
    }
}

@Suite("Records")
struct RecordTests {
    @Test("a record equals, hashes and encodes like the struct with the same members")
    func recordIsAStruct() {
        let layout = RecordLayout(names: ["uuid", "MTU", "tags"])
        let record = RPCValue.record(RecordFields(layout: layout, values: ["u", .int(1500), ["a"]]))
        let structure: RPCValue = ["uuid": "u", "MTU": .int(1500), "tags": ["a"]]
        #expect(record == structure)
        #expect(record.hashValue == structure.hashValue)
        #expect(record["MTU"] == .int(1500))
        #expect(XMLRPCEncoder.fragment(record) == XMLRPCEncoder.fragment(structure))
        #expect(JSONRPC.encode(record) == JSONRPC.encode(structure))
        #expect(record != ["uuid": "u", "MTU": .int(1500)])
    }
}
