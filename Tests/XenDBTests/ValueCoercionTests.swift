import Testing
import XenAPI
import XenAPIModel
import XenDB
import XenRPC

@Suite("Value coercion")
struct ValueCoercionTests {
    @Test("ints accept numbers and decimal strings; enums any case; datetimes any accepted spelling")
    func accepted() throws {
        #expect(try ValueCoercion.coerce("2147483648", to: .int, field: "f") == .int(2_147_483_648))
        #expect(try ValueCoercion.coerce(.int32(3), to: .int, field: "f") == .int(3))
        #expect(try ValueCoercion.coerce(.int(2), to: .float, field: "f") == .double(2))
        #expect(try ValueCoercion.coerce("running", to: .enumeration("vm_power_state"), field: "f") == "Running")
        #expect(try ValueCoercion.coerce("2024-04-20T12:00:00Z", to: .datetime, field: "f") == .dateTime("20240420T12:00:00Z"))
        #expect(try ValueCoercion.coerce(.dateTime("20240420T12:00:00"), to: .datetime, field: "f") == .dateTime("20240420T12:00:00Z"))
        #expect(try ValueCoercion.coerce(["clone": "no"], to: .map(.enumeration("vm_operations"), .string), field: "f")
            == ["clone": "no"])
    }

    @Test("wrong types are FIELD_TYPE_ERROR, bad enum values INVALID_VALUE")
    func refused() {
        #expect(throws: XenAPIError.fieldTypeError(field: "f")) { try ValueCoercion.coerce("abc", to: .int, field: "f") }
        #expect(throws: XenAPIError.fieldTypeError(field: "f")) { try ValueCoercion.coerce("true", to: .bool, field: "f") }
        #expect(throws: XenAPIError.fieldTypeError(field: "f")) { try ValueCoercion.coerce(.nil, to: .string, field: "f") }
        #expect(throws: XenAPIError.invalidValue(field: "f", value: "Flying")) {
            try ValueCoercion.coerce("Flying", to: .enumeration("vm_power_state"), field: "f")
        }
    }

    @Test("wire datetimes round-trip and reject nonsense")
    func datetimes() {
        #expect(WireDateTime.format(secondsSinceEpoch: 0) == "19700101T00:00:00Z")
        #expect(WireDateTime.format(secondsSinceEpoch: 1_742_357_784) == "20250319T04:16:24Z")
        #expect(WireDateTime.parse("20250319T04:16:24Z") == 1_742_357_784)
        #expect(WireDateTime.parse("2025-03-19T06:16:24+02:00") == 1_742_357_784)
        #expect(WireDateTime.parse("20250319T04:16:24-12:00") == 1_742_400_984)
        #expect(WireDateTime.parse("yesterday") == nil)
        #expect(WireDateTime.parse("20251319T04:16:24Z") == nil)
    }
}
