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
            throw CLIFailure.message(
                "Multiple matches found for the \(noun) selection: use --multiple to perform the operation on all of them.")
        }
        return refs
    }

    /// Runs `body` for each selected object; like xe, an error on one is printed and the rest
    /// carry on, and the command fails if any did.
    func forEach(_ run: CommandRun, own: Set<String>, _ body: (String) async throws -> Void) async throws {
        let refs = try select(run, own: own)
        guard refs.count > 1 else { return try await body(refs[0]) }
        var failed = false
        for ref in refs {
            do {
                try await body(ref)
            } catch let failure as CLIFailure {
                let documentation = ErrorDocumentation(model: .current, snapshot: run.snapshot)
                for line in failure.report(in: documentation).lines { await run.printError(line) }
                failed = true
            }
        }
        if failed { throw CLIFailure.reported }
    }

    /// A command that runs `body` on each object the selectors pick; `optional` lists its own
    /// parameters besides the pseudo-parameter and the field filters.
    func command(
        _ name: String, _ help: String, optional: [String] = [],
        _ body: @escaping @Sendable (CommandRun, String) async throws -> Void
    ) -> CLICommand {
        CLICommand(name: name, help: help, optional: [pseudo] + optional, filters: cls) { run in
            try await forEach(run, own: Set(optional)) { ref in try await body(run, ref) }
        }
    }
}
