import Foundation
import Testing
import XenAPI
@testable import XenCore
@testable import XenDB
import XenRPC

@Suite("the pool database dump, in xapi's XML format")
struct DatabaseBackupTests {
    @Test("S-expressions: sets and maps with quotes, backslashes and spaces read back as written")
    func sexpressions() {
        let value = DatabaseDumpSExpression.node([
            .node([.string("it's"), .string("back\\slash")]), .node([.string(""), .string("two words")]),
        ])
        #expect(value.text == "(('it\\'s' 'back\\\\slash') ('' 'two words'))")
        #expect(DatabaseDumpSExpression.parse(value.text) == value)
        #expect(DatabaseDumpSExpression.parse("()") == .node([]))
        #expect(DatabaseDumpSExpression.parse("(\"double\" bare)") == .node([.string("double"), .string("bare")]))
        #expect(DatabaseDumpSExpression.parse("('unterminated") == nil)
        #expect(DatabaseDump.unprotect(DatabaseDump.protect("a b\tc\nd\re%f")) == "a b\tc\nd\re%f")
        #expect(DatabaseDump.protect("a b%") == "a%.b%%")
    }

    @Test("a dump restored into the same pool gives back every record as it was")
    func roundTrip() async throws {
        let harness = try await ToolstackHarness(hosts: 2)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let template = try #require(try await harness.value("VM.get_by_name_label", session, "Debian Bookworm 12").arrayValue?.first)
            let vm = try await harness.value("VM.clone", session, template, "web")
            _ = try await harness.value("VM.add_to_other_config", session, vm, "quote's", "a (paren) and \\ backslash")
            _ = try await harness.value("VM.set_VCPUs_max", session, vm, 4)
            let services = harness.toolstack.services
            let before = services.database.snapshot
            let dump = DatabaseBackup(toolstack: harness.toolstack).dump()
            _ = try await harness.value("VM.destroy", session, vm)
            try await DatabaseBackup(toolstack: harness.toolstack).restore(dump, dryRun: false)
            let after = services.database.snapshot
            // Field by field; the computed sets in any order; an SR's use is measured again at start.
            for className in before.schema.classNames where before.schema[className]!.model.persisted {
                let schema = before.schema[className]!
                #expect(Set(before.refs(className)) == Set(after.refs(className)), "\(className)")
                for ref in before.refs(className) {
                    guard let old = before.row(className, ref), let new = after.row(className, ref) else { continue }
                    for (index, field) in schema.fields.enumerated() where !["physical_utilisation", "physical_size"].contains(field.name) {
                        var (a, b) = (old.values[index], new.values[index])
                        if case .array(let x) = a, case .array(let y) = b, schema.manySide.contains(index) {
                            a = .array(x.sorted { "\($0)" < "\($1)" })
                            b = .array(y.sorted { "\($0)" < "\($1)" })
                        }
                        #expect(a == b, "\(className) \(ref) \(field.name)")
                    }
                }
            }
            #expect(try await harness.value("VM.get_other_config", session, vm)["quote's"] == "a (paren) and \\ backslash")
            var wrong = String(decoding: dump, as: UTF8.self)
            wrong = wrong.replacingOccurrences(of: "value=\"909\"", with: "value=\"35\"")
            await #expect(throws: XenAPIError.self) { try await DatabaseBackup(toolstack: harness.toolstack).restore(Array(wrong.utf8), dryRun: true) }
        }
    }
}
