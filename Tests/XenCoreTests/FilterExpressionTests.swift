import Testing
import XenAPI
import XenCore
import XenRPC

@Suite("get_all_records_where expressions")
struct FilterExpressionTests {
    @Test("and/or share a precedence and associate left; not binds loosest")
    func precedence() throws {
        let a = FilterExpression.equal(.field("a"), .literal("1"))
        let b = FilterExpression.equal(.field("b"), .literal("2"))
        let c = FilterExpression.equal(.field("c"), .literal("3"))
        #expect(try FilterExpression.parse(#"field "a"="1" or field "b"="2" and field "c"="3""#) == .and(.or(a, b), c))
        #expect(try FilterExpression.parse(#"not field "a"="1" and field "b"="2""#) == .not(.and(a, b)))
        #expect(try FilterExpression.parse(#"field "a"="1" and not field "b"="2" or field "c"="3""#) == .and(a, .not(.or(b, c))))
        #expect(try FilterExpression.parse(#"(field "a"="1") and (true)"#) == .and(a, .constant(true)))
        #expect(try FilterExpression.parse("true") == .constant(true))
    }

    @Test("syntax errors are INVALID_VALUE [expression, reason]", arguments: [
        #"field "a"="#, #"field a="1""#, #"("a"="1""#, #"field "a"="1" and"#, #"field "a"="1" xor true"#, "\"unterminated",
    ])
    func errors(_ text: String) {
        do {
            _ = try FilterExpression.parse(text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.code == "INVALID_VALUE")
            #expect(error.parameters.first == text)
        }
    }

    @Test("filters match database column names over the wire")
    func overTheWire() async throws {
        let harness = try await ToolstackHarness()
        let session = try await harness.login()
        for label in ["x", "y", "x"] {
            _ = try await harness.value(
                "network.create", .string(session), ["name_label": .string(label), "name_description": "", "MTU": "1500", "other_config": [:]])
        }
        let xs = try await harness.value("network.get_all_records_where", .string(session), #"field "name__label"="x""#)
        #expect(xs.structureValue?.count == 2)
        let managed = try await harness.value("network.get_all_where", .string(session), #"field "managed"="true" and not field "name__label"="x""#)
        #expect(managed.arrayValue?.count == 2, "y and the management network")
        let dom0 = try await harness.value("VM.get_all_where", .string(session), #"field "is_control_domain"="true""#)
        #expect(dom0.arrayValue?.count == 1)
    }
}

@Suite("get_all_records_where field checks")
struct FilterFieldTests {
    @Test("a field the class lacks is INVALID_VALUE, naming it")
    func unknownField() async throws {
        let harness = try await ToolstackHarness()
        let session = RPCValue.string(try await harness.login())
        let expression = #"field "no_such"="x""#
        #expect(await harness.call("network.get_all_records_where", session, .string(expression))
            == .failure(["INVALID_VALUE", expression, "network has no field no_such"]))
    }
}
