import Testing
import XenAPI
import XenAPIModel
@testable import XenCore

@Suite("Dispatch table")
struct DispatchTableTests {
    private func descriptor(_ name: String, replacesImplicit: Bool = false) -> MessageDescriptor {
        MessageDescriptor(
            className: "network", name: name, parameters: [], takesSession: true, hasAsync: false,
            replacesImplicit: replacesImplicit, handler: { _, _ in .string(name) })
    }

    @Test("a custom message that would shadow an implicit one is refused, unless the model says it replaces it")
    func shadowing() throws {
        let implicit = [descriptor("destroy"), descriptor("get_record")]
        #expect(throws: XenAPIError.self) {
            _ = try DispatchTable(implicit: implicit, custom: [descriptor("destroy")])
        }
        let table = try DispatchTable(implicit: implicit, custom: [descriptor("destroy", replacesImplicit: true)])
        #expect(table.lookup("network.destroy", allowAlias: false)?.replacesImplicit == true)
        #expect(table.lookup("network_get_record", allowAlias: true)?.name == "get_record")
        #expect(table.lookup("network_get_record", allowAlias: false) == nil)
    }

    @Test("the served model has no accidental clash: the toolstack starts")
    func servedModel() async throws {
        let harness = try await ToolstackHarness()
        #expect(harness.toolstack.table.lookup("task.destroy", allowAlias: false) != nil)
    }
}
