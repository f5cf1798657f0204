import Collections
import Hummingbird
import HummingbirdTesting
import Testing
import XenHTTP
import XenRPC

/// Results with many members are written out while they are encoded (`RPCEndpoints.streaming`);
/// through the router the chunks must add up to one well-formed answer on both wires.
@Suite struct LargeResponseTests {
    @Test func getAllRecordsOfManyObjectsOverBothWires() async throws {
        let harness = try await EndpointHarness()
        let session = try await harness.login()
        var created: Set<String> = []
        // Over 200 records takes the streaming path; the padding makes each answer span several chunks.
        let padding = RPCValue.string(String(repeating: "p", count: 8_000))
        for index in 0..<210 {
            let record: RPCValue = [
                "name_label": .string("bulk-\(index)"), "name_description": "", "MTU": "1500",
                "other_config": ["i": .string(String(index)), "pad": padding],
            ]
            let ref = try await harness.value("network.create", .string(session), record)
            created.insert(try #require(ref.stringValue))
        }
        let direct = try await harness.value("network.get_all_records", .string(session))
        #expect(direct.isLarge)
        let refs = Set(try #require(direct.structureValue).keys)
        #expect(created.isSubset(of: refs))

        try await harness.withClient { client in
            let xmlResponse = try await client.post(
                "/RPC2", XMLRPCEncoder.call(method: "network.get_all_records", params: [.string(session)]),
                contentType: "text/xml")
            #expect(xmlResponse.status == .ok)
            #expect(xmlResponse.headers[.contentType] == "text/xml")
            #expect(xmlResponse.headers[.accessControlAllowOrigin] == "*")
            #expect(xmlResponse.body.readableBytes > RPCEndpoints.chunkSize)
            // The chunks add up to exactly what the whole-body encoder writes (records come out in ref order).
            let sameXML = Array(xmlResponse.body.readableBytesView) == XMLRPCEncoder.success(direct)
            #expect(sameXML, "the streamed XML-RPC answer differs from the whole-body encoding")
            let envelope = try XMLRPCDecoder.decodeResponse(xmlResponse.body.readableBytesView)
            #expect(envelope["Status"] == RPCValue.string("Success"))
            let overXML = try #require(envelope["Value"]?.structureValue)
            #expect(Set(overXML.keys) == refs)
            // XML-RPC writes 64-bit ints untyped, so they read back as strings.
            #expect(overXML.values.allSatisfy { $0["MTU"] == RPCValue.string("1500") })

            let jsonResponse = try await client.post(
                "/jsonrpc", JSONRPC.encode(JSONRequest.v2("network.get_all_records", .string(session), id: 9)),
                contentType: "application/json")
            #expect(jsonResponse.status == .ok)
            #expect(jsonResponse.headers[.contentType] == "application/json")
            #expect(jsonResponse.body.readableBytes > RPCEndpoints.chunkSize)
            let sameJSON = Array(jsonResponse.body.readableBytesView) == JSONRPC.success(direct, version: .v2, id: .number(9))
            #expect(sameJSON, "the streamed JSON-RPC answer differs from the whole-body encoding")
            let reply = try JSONRPC.decode(jsonResponse.body.readableBytesView)
            #expect(reply["id"] == RPCValue.int(9))
            #expect(reply["jsonrpc"] == RPCValue.string("2.0"))
            let overJSON = try #require(reply["result"]?.structureValue)
            #expect(Set(overJSON.keys) == refs)
            #expect(overJSON.values.allSatisfy { $0["MTU"] == RPCValue.int(1500) })
            let labels = Set(overJSON.values.compactMap { $0["name_label"]?.stringValue })
            #expect(labels.isSuperset(of: (0..<210).map { "bulk-\($0)" }))
        }
    }
}
