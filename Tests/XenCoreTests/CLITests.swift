import Foundation
import Synchronization
import Testing
import XenAPI
import XenAPIModel
import XenCLI
import XenCLIProtocol
import XenCore
import XenRPC

/// What one `xe` command line printed, and its exit code.
struct CLIOutcome {
    var standardOutput: [String] = []
    var standardError: [String] = []
    var confirmations: [String] = []
    var downloads: [(file: String, path: String)] = []
    var uploads: [(file: String, path: String)] = []
    var exitCode: Int32 = -1

    var text: String { standardOutput.joined(separator: "\n") }
}

extension ToolstackHarness {
    /// Runs an `xe` command line through the server's CLI, as the `xe` client sends it (local
    /// socket unless `origin` says otherwise).
    func xe(_ words: String..., origin: CallOrigin = .localSocket) async -> CLIOutcome {
        await xe(words, origin: origin)
    }

    /// Runs an `xe` command line given as a list of words.
    func xe(_ words: [String], origin: CallOrigin = .localSocket) async -> CLIOutcome {
        let collected = Mutex(CLIOutcome())
        await CLIServer(toolstack: toolstack).run(words: words, origin: origin) { message in
            collected.withLock { outcome in
                switch message {
                case .print(let text): outcome.standardOutput += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                case .printError(let text): outcome.standardError.append(text)
                case .confirm(let question): outcome.confirmations.append(question)
                case .progress: break
                case .httpGet(let file, let path): outcome.downloads.append((file, path))
                case .httpPut(let file, let path): outcome.uploads.append((file, path))
                case .exit(let code): outcome.exitCode = code
                }
            }
        }
        return collected.withLock { $0 }
    }
}

@Suite("the xe command line, on the server")
struct CLITests {
    @Test("records print as xe prints them: aligned labels with qualifiers, two blank lines after each")
    func recordLayout() {
        let lines = RecordPrinter.records([
            [("uuid ( RO)", "5f3b"), ("name-label ( RW)", "web01"), ("power-state ( RO)", "running")],
            [("uuid ( RO)", "0b2f"), ("name-label ( RW)", "db"), ("power-state ( RO)", "halted")],
        ])
        #expect(lines == [
            "uuid ( RO)           : 5f3b",
            "     name-label ( RW): web01",
            "    power-state ( RO): running",
            "",
            "",
            "uuid ( RO)           : 0b2f",
            "     name-label ( RW): db",
            "    power-state ( RO): halted",
            "",
            "",
        ])
        #expect(RecordPrinter.minimal(["a,b", "c\\d", "e"]) == "a\\,b,c\\\\d,e")
    }

    @Test("the command line is read as xe reads it: key=value, --flag, the command first, help topics")
    func commandLine() throws {
        let line = try CLIInvocation(words: ["vm-list", "name-label=a=b", "--minimal", "other-config:x=1"])
        #expect(line.command == "vm-list")
        #expect(line["name-label"] == "a=b")
        #expect(line.flag("minimal"))
        #expect(line["other-config:x"] == "1")
        #expect(try CLIInvocation(words: ["help", "vm-start"])["vm-start"] == "")
        #expect(try CLIInvocation(words: ["vm-list", "-u", "root"])["username"] == "root")
        #expect(throws: CLIFailure.syntax("command name is missing")) { try CLIInvocation(words: ["name-label=x"]) }
        #expect(throws: CLIFailure.syntax("Unknown switch: -x")) { try CLIInvocation(words: ["vm-list", "-x", "1"]) }
    }

    @Test("host-list prints each host's default columns; --minimal the uuids; params= picks the columns")
    func listing() async throws {
        let harness = try await ToolstackHarness(hosts: 2)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let hosts = try await harness.value("host.get_all", session).arrayValue ?? []
            var records: [(uuid: String, name: String, description: String)] = []
            for host in hosts {
                records.append((
                    try await harness.value("host.get_uuid", session, host).stringValue ?? "",
                    try await harness.value("host.get_name_label", session, host).stringValue ?? "",
                    try await harness.value("host.get_name_description", session, host).stringValue ?? ""))
            }
            let listed = await harness.xe("host-list")
            #expect(listed.exitCode == 0)
            #expect(listed.standardOutput == records.flatMap { record in
                [
                    "uuid ( RO)                : \(record.uuid)",
                    "          name-label ( RW): \(record.name)",
                    "    name-description ( RW): \(record.description)",
                    "",
                    "",
                ]
            })
            let minimal = await harness.xe("host-list", "--minimal")
            #expect(minimal.standardOutput == [records.map(\.uuid).joined(separator: ",")])
            let named = await harness.xe("host-list", "name-label=\(records[1].name)", "params=name-label,uuid")
            #expect(named.standardOutput == ["uuid ( RO)          : \(records[1].uuid)", "    name-label ( RW): \(records[1].name)", "", ""])
            let none = await harness.xe("host-list", "name-label=nothing-is-called-this")
            #expect(none.standardOutput.isEmpty && none.exitCode == 0)
        }
    }

    @Test("param-get, param-set (maps by key), param-add, param-remove and param-clear go through the API")
    func parameters() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let vm = try await makeVM(harness, session, name: "web1")
            let uuid = try await harness.value("VM.get_uuid", session, vm).stringValue ?? ""
            #expect(await harness.xe("vm-param-get", "uuid=\(uuid)", "param-name=name-label").standardOutput == ["web1"])
            #expect(await harness.xe("vm-param-get", "uuid=\(uuid)", "param-name=power-state").standardOutput == ["halted"])
            let set = await harness.xe("vm-param-set", "uuid=\(uuid)", "name-label=web2", "other-config:folder=/prod", "VCPUs-at-startup=1")
            #expect(set.exitCode == 0 && set.standardError.isEmpty)
            #expect(try await harness.value("VM.get_name_label", session, vm) == "web2")
            #expect(try await harness.value("VM.get_VCPUs_at_startup", session, vm) == .int(1))
            #expect(await harness.xe("vm-param-get", "uuid=\(uuid)", "param-name=other-config", "param-key=folder").standardOutput == ["/prod"])
            _ = await harness.xe("vm-param-add", "uuid=\(uuid)", "param-name=other-config", "a=1", "b=2")
            _ = await harness.xe("vm-param-remove", "uuid=\(uuid)", "param-name=other-config", "param-key=a")
            let config = try await harness.value("VM.get_other_config", session, vm)
            #expect(config["b"] == "2" && config["a"] == nil && config["folder"] == "/prod")
            _ = await harness.xe("vm-param-add", "uuid=\(uuid)", "param-name=tags", "param-key=blue")
            #expect(await harness.xe("vm-param-get", "uuid=\(uuid)", "param-name=tags").standardOutput == ["blue"])
            _ = await harness.xe("vm-param-clear", "uuid=\(uuid)", "param-name=tags")
            #expect(try await harness.value("VM.get_tags", session, vm) == .array([]))
            let readOnly = await harness.xe("vm-param-set", "uuid=\(uuid)", "power-state=running")
            #expect(readOnly.exitCode == 1 && readOnly.standardError == ["Error: Field 'power-state' is read-only."])
            func error(_ words: String...) async -> [String] {
                let outcome = await harness.xe(words)
                return outcome.exitCode == 1 ? outcome.standardError : ["exit \(outcome.exitCode)"]
            }
            #expect(await error("vm-param-set", "uuid=\(uuid)", "VCPUs-at-startup=many") == ["Error: Parameter VCPUs-at-startup must be an integer"])
            #expect(await error("vm-param-set", "uuid=\(uuid)", "tags=x") == ["Error: Cannot param-set on set fields"])
            #expect(await error("vm-param-set", "uuid=\(uuid)", "other-config=x") == ["Error: Field 'other-config' is a map or set. use the 'name:key=value' syntax."])
            #expect(await error("vm-param-set", "uuid=\(uuid)", "colour=red") == ["Error: Unknown field 'colour'"])
            #expect(await error("vm-param-get", "uuid=\(uuid)", "param-name=other-config", "param-key=nope") == ["Error: Key nope not found in map"])
            #expect(await error("vm-param-add", "uuid=\(uuid)", "param-name=tags") == ["Error: When adding a key to a set, use the syntax: *-param-add param-name=<name> param-key=<key>"])
            #expect(await error("vm-param-add", "uuid=\(uuid)", "param-name=power-state", "param-key=x") == ["Error: Can only add to parameters of type Set or Map"])
            #expect(await error("vm-param-remove", "uuid=\(uuid)", "param-name=other-config", "param-key=nope") == ["Error: Key nope is not in map"])
            #expect(await error("vm-param-clear", "uuid=\(uuid)", "param-name=power-state") == ["Error: Can only clear RW parameters"])
            #expect(await harness.xe("vm-param-get", "uuid=\(uuid)", "param-name=name-label", "param-key=x").standardOutput == ["web2"])
            let list = await harness.xe("vm-param-list", "uuid=\(uuid)")
            #expect(list.standardOutput.first?.hasPrefix("uuid ( RO)") == true && list.standardOutput.first?.hasSuffix(": \(uuid)") == true)
            #expect(list.standardOutput.contains { $0.hasSuffix("folder: /prod; b: 2") && $0.contains("other-config (MRW): ") })
        }
    }

    @Test("bad input gets xe's message and exit code 1, never a crash")
    func badInput() async throws {
        let harness = try await ToolstackHarness(hosts: 2)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            _ = try await makeVM(harness, session, name: "twin")
            _ = try await makeVM(harness, session, name: "twin")
            let unknown = await harness.xe("vm-lst")
            #expect(unknown.exitCode == 1 && unknown.standardError == ["Unknown command: vm-lst", "For usage run: 'xe help'"])
            let missing = await harness.xe("vm-param-get", "param-name=uuid")
            #expect(missing.exitCode == 1 && missing.standardError == ["Required parameter not found: uuid", "For usage run: 'xe help'"])
            let stray = await harness.xe("vm-list", "colour=red")
            #expect(stray.exitCode == 1 && stray.standardError == ["Unknown parameter(s): colour", "For usage run: 'xe help'"])
            let noMatch = await harness.xe("vm-start", "vm=nothing")
            #expect(noMatch.exitCode == 1 && noMatch.standardError == ["Error: No matching VMs found"])
            let several = await harness.xe("vm-start", "vm=twin")
            #expect(several.exitCode == 1 && several.standardError == ["Error: Multiple matches VMs found. --multiple required to complete the operation"])
            let clone = await harness.xe("vm-clone", "vm=twin", "new-name-label=x", "--multiple")
            #expect(clone.standardError == ["Error: Multiple matches VMs found. Operation can only be performed on one VM at a time"])
            let both = await harness.xe("vm-shutdown", "vm=twin", "--multiple")
            let failures = both.standardOutput.filter { $0.hasPrefix("operation failed on ") }
            #expect(both.exitCode == 1 && failures.count == 2)
            #expect(failures.allSatisfy { $0.hasSuffix(": " + DataModel.current.error(code: "VM_BAD_POWER_STATE")!.doc) })
            let badUUID = await harness.xe("vm-param-list", "uuid=not-a-uuid")
            #expect(badUUID.exitCode == 1)
            #expect(badUUID.standardError.first == DataModel.current.error(code: "UUID_INVALID")?.doc)
            #expect(badUUID.standardError.dropFirst().contains("uuid: not-a-uuid"))
            let noLogin = await harness.xe("vm-list", origin: .network)
            #expect(noLogin.exitCode == 1 && noLogin.standardError == ["Username/password must be specified", "For usage run: 'xe help'"])
            let wrong = await harness.xe("vm-list", "username=root", "password=wrong", origin: .network)
            #expect(wrong.exitCode == 1 && wrong.standardError == ["Authentication failed", "For usage run: 'xe help'"])
            let right = await harness.xe("vm-list", "username=root", "password=\(ToolstackHarness.password)", origin: .network)
            #expect(right.exitCode == 0 && right.text.contains("twin"))
        }
    }

    @Test("an API error prints its documentation and arguments, references as uuid (name)")
    func apiError() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let vm = try await makeVM(harness, session, name: "lonely")
            let uuid = try await harness.value("VM.get_uuid", session, vm).stringValue ?? ""
            let outcome = await harness.xe("vm-shutdown", "vm=lonely")
            let doc = try #require(DataModel.current.error(code: "VM_BAD_POWER_STATE"))
            #expect(outcome.exitCode == 1)
            #expect(outcome.standardError == [doc.doc, "\(doc.parameters[0]): \(uuid) (lonely)", "\(doc.parameters[1]): running", "\(doc.parameters[2]): halted"])
        }
    }

    @Test("install, start, migrate, shut down and uninstall a VM; evacuate a host; all through xe")
    func lifecycle() async throws {
        let harness = try await ToolstackHarness(hosts: 2)
        try await harness.run {
            let install = await harness.xe("vm-install", "template=Debian Bookworm 12", "new-name-label=app")
            #expect(install.exitCode == 0, "\(install.standardError)")
            let uuid = try #require(install.standardOutput.first)
            #expect(await harness.xe("vm-param-get", "uuid=\(uuid)", "param-name=name-description").standardOutput == ["Installed via xe CLI"])
            let disks = await harness.xe("vm-disk-list", "uuid=\(uuid)")
            #expect(disks.standardOutput.first == "Disk 0 VBD:" && disks.standardOutput.contains("Disk 0 VDI:"))
            #expect(await harness.xe("vm-start", "vm=app").exitCode == 0)
            #expect(await harness.xe("vm-list", "uuid=\(uuid)", "params=power-state", "--minimal").standardOutput == ["running"])
            let first = await harness.xe("vm-param-get", "uuid=\(uuid)", "param-name=resident-on").standardOutput
            let other = await harness.xe("host-list", "--minimal").standardOutput.first?.split(separator: ",").map(String.init)
                .first { [$0] != first } ?? ""
            #expect(await harness.xe("vm-migrate", "vm=app", "host=\(other)").exitCode == 0)
            #expect(await harness.xe("vm-param-get", "uuid=\(uuid)", "param-name=resident-on").standardOutput == [other])
            let evacuate = await harness.xe("host-evacuate", "uuid=\(other)")
            #expect(evacuate.exitCode == 0, "\(evacuate.standardError)")
            #expect(await harness.xe("vm-param-get", "uuid=\(uuid)", "param-name=resident-on").standardOutput == first)
            #expect(await harness.xe("vm-shutdown", "vm=app").exitCode == 0)
            let asked = await harness.xe("vm-uninstall", "vm=app")
            #expect(asked.confirmations == ["Type 'yes' to continue"] && asked.standardOutput.contains { $0.hasPrefix("VM : \(uuid)") })
            #expect(await harness.xe("vm-list", "uuid=\(uuid)", "--minimal").standardOutput == [uuid])
            let uninstalled = await harness.xe("vm-uninstall", "vm=app", "--force")
            #expect(uninstalled.exitCode == 0 && uninstalled.standardOutput == ["All objects destroyed"])
            #expect(await harness.xe("vm-list", "uuid=\(uuid)", "--minimal").standardOutput == [""])
        }
    }

    @Test("commands derived from messages on one object, and the storage commands: sr-create, vdi-create, vdi-resize, vdi-snapshot, pbd-unplug")
    func derivedCommands() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let isoFolder = harness.storageRoot + "/isos"
            try FileManager.default.createDirectory(atPath: isoFolder, withIntermediateDirectories: true)
            try Data(count: 1 << 20).write(to: URL(fileURLWithPath: isoFolder + "/install.iso"))
            let library = await harness.xe("sr-create", "name-label=ISOs", "type=iso", "content-type=iso", "device-config:location=\(isoFolder)")
            #expect(library.exitCode == 0, "\(library.standardError)")
            let sr = try #require(library.standardOutput.first)
            #expect(await harness.xe("vdi-list", "sr-uuid=\(sr)", "params=name-label", "--minimal").standardOutput == ["install.iso"])
            let local = try #require(await harness.xe("sr-list", "name-label=Local storage", "--minimal").standardOutput.first)
            let made = await harness.xe("vdi-create", "sr-uuid=\(local)", "name-label=data", "virtual-size=1GiB", "sm-config:purpose=test")
            let vdi = try #require(made.standardOutput.first)
            #expect(await harness.xe("vdi-param-get", "uuid=\(vdi)", "param-name=sm-config", "param-key=purpose").standardOutput == ["test"])
            #expect(await harness.xe("vdi-resize", "uuid=\(vdi)", "disk-size=2GiB").exitCode == 0)
            #expect(await harness.xe("vdi-param-get", "uuid=\(vdi)", "param-name=virtual-size").standardOutput == ["\(2 << 30)"])
            let snapshot = await harness.xe("vdi-snapshot", "uuid=\(vdi)")
            #expect(snapshot.exitCode == 0)
            #expect(await harness.xe("vdi-param-get", "uuid=\(snapshot.standardOutput.first ?? "")", "param-name=is-a-snapshot").standardOutput == ["true"])
            #expect(await harness.xe("vdi-resize", "uuid=\(vdi)").standardError.first == "Required parameter not found: disk-size")
            #expect(await harness.xe("vdi-create", "sr-uuid=\(local)", "name-label=x", "virtual-size=1GiB", "colour:x=1").standardError.first == "Unknown parameter(s): colour:x")
            let pbd = try #require(await harness.xe("pbd-list", "sr-uuid=\(sr)", "--minimal").standardOutput.first)
            #expect(await harness.xe("pbd-unplug", "uuid=\(pbd)").exitCode == 0)
            #expect(await harness.xe("pbd-param-get", "uuid=\(pbd)", "param-name=currently-attached").standardOutput == ["false"])
            #expect(await harness.xe("help", "sr-create").text.contains("device-config:<key>=<value>"))
        }
    }

    @Test("event-wait returns once an object matches, following event.from; timeout= gives up")
    func eventWait() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let vm = try await makeVM(harness, session, name: "waited")
            let uuid = try await harness.value("VM.get_uuid", session, vm).stringValue ?? ""
            async let waited = harness.xe("event-wait", "class=vm", "uuid=\(uuid)", "power-state=running")
            _ = try await harness.value("VM.start", session, vm, false, false)
            #expect(await waited.exitCode == 0)
            let timedOut = await harness.xe("event-wait", "class=vm", "uuid=\(uuid)", "power-state=/=running", "timeout=5")
            #expect(timedOut.exitCode == 1 && timedOut.standardError.first?.hasPrefix("Error: Timed out") == true)
        }
    }

    @Test("help lists every command, describes one from the table, and writes bash completion")
    func help() async throws {
        let harness = try await ToolstackHarness()
        let all = await harness.xe("help", "--all")
        #expect(all.exitCode == 0 && all.text.contains("Full command list") && all.text.contains("host-cpu-list"))
        #expect(all.standardOutput.filter { $0.hasPrefix("    ") }.allSatisfy { $0.count <= 4 + 74 + 40 })
        let minimal = await harness.xe("help", "--all", "--minimal")
        #expect(minimal.standardOutput.count == 1 && minimal.text.contains(",vm-install,"))
        let common = await harness.xe("help")
        #expect(common.text.contains("Common command list") && common.text.contains("vm-start") && !common.text.contains("blob-list"))
        let one = await harness.xe("help", "vm-install")
        #expect(one.standardOutput.first == "command name            : vm-install")
        #expect(one.standardOutput.contains("        reqd params     : new-name-label"))
        #expect(one.standardOutput.last == "")
        let completion = await harness.xe("help", "--bash-completion")
        #expect(completion.text.contains("complete -F _xe xe") && completion.text.contains("vm-start) words="))
        #expect(await harness.xe("help", "no-such-command").standardOutput == ["Unknown command 'no-such-command'"])
    }
}
