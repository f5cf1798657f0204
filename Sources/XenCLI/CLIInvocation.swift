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

    /// Reads the words of a command line (one per line of the request body).
    /// - Throws: `CLIFailure.syntax` for a word that is neither a command, `key=value` nor `--flag`.
    public init(words: [String]) throws(CLIFailure) {
        command = nil
        parameters = []
        for word in words where !word.isEmpty {
            if word.hasPrefix("--") {
                let flag = word.dropFirst(2)
                guard !flag.isEmpty else { throw CLIFailure.syntax }
                if let equals = flag.firstIndex(of: "=") {
                    parameters.append((String(flag[..<equals]), String(flag[flag.index(after: equals)...])))
                } else {
                    parameters.append((String(flag), "true"))
                }
            } else if let equals = word.firstIndex(of: "=") {
                let key = String(word[..<equals])
                guard !key.isEmpty else { throw CLIFailure.syntax }
                if command == nil, parameters.isEmpty, key.hasPrefix("-") { throw CLIFailure.syntax }
                parameters.append((key, String(word[word.index(after: equals)...])))
            } else if command == nil, !word.hasPrefix("-") {
                command = word
            } else if command == "help", !word.hasPrefix("-") {
                parameters.append(("command", word))
            } else {
                throw CLIFailure.syntax
            }
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
