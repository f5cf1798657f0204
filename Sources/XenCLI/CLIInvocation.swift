/// One command line as the server received it: the command name and its `key=value` parameters,
/// read as xapi's `cli_frontend.ml` reads them.
public struct CLIInvocation: Sendable, Equatable {
    /// The command (`vm-list`), or `nil` when the line named none.
    public var command: String?
    /// Parameters in the order given; `--flag` is `flag=true`.
    public var parameters: [(key: String, value: String)]

    /// Parameters every command accepts, never treated as filters or unknown parameters.
    static let standardKeys: Set<String> = [
        "server", "username", "password", "port", "minimal", "force", "multiple", "all", "message-priority", "trace",
        "debug", "debugonfail", "nossl", "session_id", "progress",
    ]

    /// xe's two-word switches, as the server maps them (`cli_frontend.ml` `switch_map`).
    static let switches: [String: String] = ["-u": "username", "-pw": "password", "-s": "server", "-h": "server", "-p": "port"]

    /// Reads the words of a command line (one per line of the request), as xapi's
    /// `parse_commandline` does: the first word is the command; after it `--flag` is
    /// `flag=true`, `-u value` a mapped switch, `key=value` a parameter (a word without `=` a
    /// parameter with an empty value, which is how `xe help vm-start` names its topic).
    /// - Throws: `CLIFailure.syntax` for a command word with `=` or an unknown switch.
    public init(words: [String]) throws(CLIFailure) {
        let words = words.filter { !$0.isEmpty }
        command = words.first
        parameters = []
        guard let command else { return }
        if command.contains("=") { throw CLIFailure.syntax("command name is missing") }
        var index = 1
        while index < words.count {
            let word = words[index]
            if word.hasPrefix("--") {
                parameters.append((String(word.dropFirst(2)), "true"))
            } else if word.hasPrefix("-") {
                guard let key = Self.switches[word] else { throw CLIFailure.syntax("Unknown switch: \(word)") }
                guard index + 1 < words.count else { throw CLIFailure.syntax("Switch \(word) requires a parameter") }
                index += 1
                parameters.append((key, words[index]))
            } else if let equals = word.firstIndex(of: "=") {
                parameters.append((String(word[..<equals]), String(word[word.index(after: equals)...])))
            } else {
                parameters.append((word, ""))
            }
            index += 1
        }
    }

    /// The last value given for `key`.
    public subscript(key: String) -> String? { parameters.last { $0.key == key }?.value }

    /// Whether `--key` (or `key=true`) was given.
    public func flag(_ key: String) -> Bool {
        guard let value = self[key] else { return false }
        return value.lowercased() == "true" || value == "1" || value.lowercased() == "yes"
    }

    /// The value of a required parameter, or xe's `Required parameter not found`.
    public func required(_ key: String) throws(CLIFailure) -> String {
        guard let value = self[key] else { throw CLIFailure.missingParameter(key) }
        return value
    }

    public static func == (lhs: CLIInvocation, rhs: CLIInvocation) -> Bool {
        lhs.command == rhs.command && lhs.parameters.elementsEqual(rhs.parameters) { $0 == $1 }
    }
}
