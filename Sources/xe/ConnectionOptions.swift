import Foundation

/// Where `xe` connects and as whom, read as xe reads it: switches (`-s`, `-p`, `-u`, `-pw`,
/// `-pwf`, `--nossl`) or their `key=value` forms anywhere on the line, then `XE_EXTRA_ARGS`
/// (comma-separated), then `~/.xe` (one `key=value` per line); the first to give a value wins.
/// Everything else is the command line, passed to the server untouched (other switches
/// included: the server knows its own).
struct ConnectionOptions {
    var server: String?
    var port: Int?
    var username: String?
    var password: String?
    var passwordFile: String?
    var noSSL = false
    var debug = false
    /// The command line for the server: the command and its parameters.
    var words: [String] = []

    /// The local socket used when no server is given, as `xe` on a XenServer host uses xapi's.
    var socketPath: String { ProcessInfo.processInfo.environment["XE_SOCKET"] ?? "/var/lib/xcp/xapi" }

    /// Reads the command line, then the fallbacks.
    init(arguments: [String], environment: [String: String], homeFile: String?) throws(UsageError) {
        try read(arguments, passingOn: true)
        if let extra = environment["XE_EXTRA_ARGS"], !extra.isEmpty {
            try read(Self.splitExtraArguments(extra), passingOn: false)
        }
        if let homeFile {
            let lines = homeFile.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("#") }
            try read(lines, passingOn: false)
        }
    }

    /// The keys that configure the connection rather than the command.
    private static let connectionKeys: Set<String> = ["server", "port", "username", "password", "passwordfile", "nossl", "debug"]

    private mutating func read(_ arguments: [String], passingOn: Bool) throws(UsageError) {
        var index = 0
        func next(_ switchName: String) throws(UsageError) -> String {
            index += 1
            guard index < arguments.count else { throw UsageError("Switch \(switchName) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            let word = arguments[index]
            switch word {
            case "-s", "-h":
                let value = try next(word)
                server = server ?? value
            case "-p":
                try set("port", try next(word))
            case "-u":
                let value = try next(word)
                username = username ?? value
            case "-pw":
                let value = try next(word)
                password = password ?? value
            case "-pwf":
                let value = try next(word)
                passwordFile = passwordFile ?? value
            case "--nossl": noSSL = true
            case "--debug": debug = true
            case "--help", "-help": throw UsageError("", showUsage: true, exitCode: 0)
            default:
                if let equals = word.firstIndex(of: "="), Self.connectionKeys.contains(String(word[..<equals])) {
                    try set(String(word[..<equals]), String(word[word.index(after: equals)...]))
                } else if passingOn {
                    words.append(word)
                }
            }
            index += 1
        }
    }

    private mutating func set(_ key: String, _ value: String) throws(UsageError) {
        switch key {
        case "server": server = server ?? value
        case "port":
            guard let number = Int(value), (0...65535).contains(number) else {
                throw UsageError("Port number must be an integer (0-65535)", showUsage: true)
            }
            port = port ?? number
        case "username": username = username ?? value
        case "password": password = password ?? value
        case "passwordfile": passwordFile = passwordFile ?? value
        case "nossl": noSSL = noSSL || value.lowercased() == "true"
        default: debug = debug || value.lowercased() == "true"
        }
    }

    /// `XE_EXTRA_ARGS`: comma-separated, `\,` for a comma inside a value.
    static func splitExtraArguments(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// The username and password: from `-u`/`-pw`, else from the `-pwf` file, which holds the
    /// username on its first line and the password on its second, as xe's does.
    func credentials() throws(UsageError) -> (username: String?, password: String?) {
        guard let passwordFile else { return (username, password) }
        guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
            throw UsageError("Error opening password file '\(passwordFile)'")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 2 else {
            throw UsageError("Error: password file format: expecting username on the first line, password on the second line")
        }
        return (lines[0], lines[1])
    }
}

/// A command line the client itself cannot use.
struct UsageError: Error {
    var message: String
    /// Whether xe's usage text follows the message.
    var showUsage = false
    var exitCode: Int32 = 1

    init(_ message: String, showUsage: Bool = false, exitCode: Int32 = 1) {
        self.message = message
        self.showUsage = showUsage
        self.exitCode = exitCode
    }

    /// xe's usage text (`newcli.ml`).
    static let usage = """
        Usage:
          xe <command>
            [ -s <server> ]            XenServer host
            [ -p <port> ]              XenServer port number
            [ -u <username> -pw <password> | -pwf <password file> ]
                                       User authentication (password or file)
            [ --nossl ]                Disable SSL/TLS
            [ --debug ]                Enable debug output
            [ --minimal ]              Output only values in a comma-separated lists
            [ <other arguments> ... ]  Command-specific options

        A full list of commands can be obtained by running
          xe help -s <server> -p <port>
        """
}
