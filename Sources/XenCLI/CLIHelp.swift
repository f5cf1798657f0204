/// `xe help`: the command list, one command's parameters and description, and the bash
/// completion script, all from the command table.
public enum CLIHelp {
    /// The usage text xe's help starts with.
    static let usage = [
        "Usage:",
        "  xe <command>",
        "    [ -s <server> ]            XenServer host",
        "    [ -p <port> ]              XenServer port number",
        "    [ -u <username> -pw <password> | -pwf <password file> ]",
        "                               User authentication (password or file)",
        "    [ --nossl ]                Disable SSL/TLS",
        "    [ --debug ]                Enable debug output",
        "    [ <other arguments> ... ]  Command-specific options",
        "",
        "To get help on a specific command:",
        "  xe help <command>",
        "",
    ]

    /// The commands `xe help` lists without `--all`.
    static let common: Set<String> = [
        "event-wait", "help", "host-disable", "host-enable", "host-evacuate", "host-list", "host-param-list",
        "host-reboot", "network-create", "network-list", "pool-list", "pool-param-set", "sr-create", "sr-list",
        "task-list", "template-list", "vdi-create", "vdi-list", "vif-create", "vm-cd-eject", "vm-cd-insert",
        "vm-clone", "vm-copy", "vm-disk-list", "vm-install", "vm-list", "vm-migrate", "vm-param-list",
        "vm-param-set", "vm-reboot", "vm-resume", "vm-shutdown", "vm-snapshot", "vm-start", "vm-suspend",
        "vm-uninstall", "vm-vif-list",
    ]

    /// `xe help [<command>…] [--all] [--minimal]`, laid out as xapi's `rio_help` does.
    static func lines(for invocation: CLIInvocation, in table: CommandTable) -> [String] {
        if invocation.flag("bash-completion") { return [bashCompletion(table)] }
        let ignored: Set<String> = ["server", "username", "password", "port", "minimal", "all", "progress"]
        let topics = invocation.parameters.map(\.key).filter { !ignored.contains($0) }
        if !topics.isEmpty {
            return topics.flatMap { topic in
                table[topic].map(describe) ?? ["Unknown command '\(topic)'"]
            }
        }
        let minimal = invocation.flag("minimal")
        let names = table.commands.map(\.name) + ["help"]
        guard invocation.flag("all") else {
            let common = names.filter(common.contains).sorted()
            if minimal { return [common.joined(separator: ",")] }
            return usage + ["To get a full listing of commands:", "  xe help --all", "", "Common command list", "-------------------"]
                + wrapped(common)
        }
        let sorted = names.sorted()
        if minimal { return [sorted.joined(separator: ",")] }
        let hosts = sorted.filter { $0.hasPrefix("host-") }
        let vms = sorted.filter { $0.hasPrefix("vm-") }
        let others = sorted.filter { !$0.hasPrefix("host-") && !$0.hasPrefix("vm-") }
        return usage + ["Full command list", "-----------------"] + wrapped(hosts) + ["    "] + wrapped(vms) + ["    "]
            + wrapped(others)
    }

    /// One command's help, as xe lays it out (a record, then a blank line).
    static func describe(_ command: CLICommand) -> [String] {
        var optional = command.optional
        if let cls = command.filters { optional.append("<\(cls.name) selectors>") }
        if command.takesFieldNames { optional.append("<field>=<value>") }
        optional += command.mapParameters.map { "\($0):<key>=<value>" }
        return RecordPrinter.records([[
            ("command name        ", command.name),
            ("reqd params     ", command.required.joined(separator: ", ")),
            ("optional params ", optional.joined(separator: ", ")),
            ("description     ", command.help),
        ]])
    }

    /// Names joined with `, ` in lines of about 74 characters, indented by four (`make_list`).
    private static func wrapped(_ names: [String]) -> [String] {
        guard let first = names.first else { return ["    "] }
        var lines: [String] = []
        var current = "    " + first
        for name in names.dropFirst() {
            if current.count + name.count > 74 {
                lines.append(current)
                current = "    " + name
            } else {
                current += ", " + name
            }
        }
        return lines + [current]
    }

    /// A bash completion script for `xe`: command names, then each command's parameters and,
    /// for `*-list` and selector commands, its class's fields.
    public static func bashCompletion(_ table: CommandTable) -> String {
        var cases: [String] = []
        for command in table.commands {
            var words = (command.required + command.optional).map { "\($0)=" } + command.mapParameters.map { "\($0):" }
            if let cls = command.filters { words += cls.fields.map { "\($0.name)=" } }
            if command.takesFieldNames, let prefix = command.name.split(separator: "-").first,
                let cls = table.catalogue[String(prefix)]
            {
                words += cls.fields.filter(\.writable).map { "\($0.name)=" }
            }
            words += ["--minimal", "--multiple", "--force"]
            cases.append("        \(command.name)) words='\(words.joined(separator: " "))' ;;")
        }
        return """
            # bash completion for xe, generated from the server's command table (xe help --bash-completion)
            _xe() {
                local cur="${COMP_WORDS[COMP_CWORD]}"
                local commands='\(table.commands.map(\.name).joined(separator: " "))'
                if [ "$COMP_CWORD" -eq 1 ]; then
                    COMPREPLY=( $(compgen -W "$commands" -- "$cur") )
                    return
                fi
                local words=''
                case "${COMP_WORDS[1]}" in
            \(cases.joined(separator: "\n"))
                esac
                compopt -o nospace 2>/dev/null
                COMPREPLY=( $(compgen -W "$words" -- "$cur") )
            }
            complete -F _xe xe

            """
    }
}
