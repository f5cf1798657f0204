/// `xe help`: the command list, one command's parameters and description, and the bash
/// completion script, all from the command table.
public enum CLIHelp {
    /// What `xe` with no command prints.
    static func usage(_ table: CommandTable) -> [String] {
        [
            "Usage: xe <command> [-s server] [-p port] ([-u username] [-pw password] or [-pwf <password file>]) [command specific arguments]",
            "",
            "To get help on a specific command: xe help <command>",
            "To get a full listing of commands: xe help --all",
            "",
        ]
    }

    /// `xe help`, `xe help --all` and `xe help <command>`.
    static func lines(for invocation: CLIInvocation, in table: CommandTable) throws(CLIFailure) -> [String] {
        if invocation.flag("bash-completion") { return [bashCompletion(table)] }
        guard !invocation.flag("all"), let topic = invocation["command"] else {
            return ["Commands:"] + columns(table.commands.map(\.name))
        }
        guard let command = table[topic] else { throw CLIFailure.unknownCommand(topic) }
        return describe(command)
    }

    /// One command's help, as xe lays it out.
    static func describe(_ command: CLICommand) -> [String] {
        var lines = ["command name            : \(command.name)"]
        lines.append("        reqd params     : \(command.required.joined(separator: ", "))")
        var optional = command.optional
        if command.filters != nil { optional.append("<\(command.filters!.name) selectors>") }
        if command.takesFieldNames { optional.append("<field>=<value>") }
        optional += command.mapParameters.map { "\($0):<key>=<value>" }
        lines.append("        optional params : \(optional.joined(separator: ", "))")
        lines.append("        description     : \(command.help)")
        return lines
    }

    /// Names laid out in rows of three, as `xe help --all` prints them.
    private static func columns(_ names: [String]) -> [String] {
        let width = (names.map(\.count).max() ?? 0) + 2
        return stride(from: 0, to: names.count, by: 3).map { start in
            names[start..<min(start + 3, names.count)].map { $0.padding(to: width) }.joined().trimmingTrailingSpaces
        }
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

extension String {
    func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }

    var trimmingTrailingSpaces: String { String(reversed().drop { $0 == " " }.reversed()) }
}
