import XenAPI
import XenDB

/// How commands like `vm-start` and `host-disable` pick their objects (`do_vm_op`,
/// `do_host_op` in xapi): a name-or-uuid pseudo-parameter (`vm=`), filters on any field, and
/// `--multiple` when more than one matches. With no selector at all every object matches.
struct ObjectSelection {
    /// The class selected from (`vm`, `host`, `sr`).
    let cls: CLIClass
    /// The pseudo-parameter naming an object by name label or uuid (`vm`, `host`, `sr`).
    let pseudo: String
    /// What the messages call the objects (`VM`, `host`, `SR`).
    let noun: String
    /// Filters applied unless the command line filters on the same field.
    let defaults: [(key: String, value: String)]

    /// VMs, never templates or control domains unless asked for.
    static func vms(_ catalogue: CLICatalogue) -> ObjectSelection {
        ObjectSelection(
            cls: catalogue["vm"]!, pseudo: "vm", noun: "VM",
            defaults: [("is-a-template", "false"), ("is-control-domain", "false")])
    }

    static func hosts(_ catalogue: CLICatalogue) -> ObjectSelection {
        ObjectSelection(cls: catalogue["host"]!, pseudo: "host", noun: "host", defaults: [])
    }

    /// The refs the command line selects, skipping the command's own parameters.
    func select(_ run: CommandRun, own: Set<String>) throws(CLIFailure) -> [String] {
        let snapshot = run.snapshot
        var filters = run.invocation.parameters.filter {
            !own.contains($0.key) && $0.key != pseudo && !CLIInvocation.standardKeys.contains($0.key)
        }
        for filter in defaults where !filters.contains(where: { $0.key == filter.key }) { filters.append(filter) }
        var refs = cls.refs(in: snapshot, matching: filters)
        if let named = run.invocation[pseudo] {
            refs = refs.filter { ref in
                ["uuid", "name-label", "hostname"].contains { cls.field($0)?.read(snapshot, ref).rendered == named }
            }
        }
        guard !refs.isEmpty else { throw CLIFailure.message("No matching \(noun)s found") }
        if refs.count > 1, !run.invocation.flag("multiple") {
            throw CLIFailure.message("\(multipleMatches). --multiple required to complete the operation")
        }
        return refs
    }

    /// xe's words for a selection that matched several objects (`do_vm_op`, `do_host_op`).
    var multipleMatches: String { noun == "VM" ? "Multiple matches VMs found" : "Multiple matching \(noun)s found" }

    /// The one object the selectors pick, for commands that act on one at a time.
    func single(_ run: CommandRun, own: Set<String>) throws(CLIFailure) -> String {
        let refs = try select(run, own: own)
        guard refs.count == 1 else {
            throw CLIFailure.message("\(multipleMatches). Operation can only be performed on one \(noun) at a time")
        }
        return refs[0]
    }

    /// Runs `body` for each selected object; like xe, the others carry on when one fails, and
    /// the failures are reported together (`operation failed on <uuid>: …`).
    func forEach(_ run: CommandRun, own: Set<String>, _ body: (String) async throws -> Void) async throws {
        let refs = try select(run, own: own)
        guard refs.count > 1 else { return try await body(refs[0]) }
        var failures: [CLIFailure.Failed] = []
        for ref in refs {
            do {
                try await body(ref)
            } catch {
                let failure = error as? CLIFailure ?? (error as? XenAPIError).map(CLIFailure.api) ?? .message("\(error)")
                let documentation = ErrorDocumentation(model: .current, snapshot: run.snapshot)
                let uuid = run.snapshot.value(cls.model.name, ref, "uuid")?.stringValue ?? ref
                failures.append(.init(uuid: uuid, message: failure.text(in: documentation)))
            }
        }
        if !failures.isEmpty { throw CLIFailure.multiple(failures) }
    }

    /// A command that runs `body` on each object the selectors pick; `optional` lists its own
    /// parameters besides the pseudo-parameter and the field filters.
    func command(
        _ name: String, _ help: String, required: [String] = [], optional: [String] = [],
        _ body: @escaping @Sendable (CommandRun, String) async throws -> Void
    ) -> CLICommand {
        CLICommand(name: name, help: help, required: required, optional: [pseudo] + optional, filters: cls) { run in
            try await forEach(run, own: Set(optional + required)) { ref in try await body(run, ref) }
        }
    }
}
