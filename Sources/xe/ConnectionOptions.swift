import Foundation

/// Where `xe` connects and as whom, read as xe reads it: switches (`-s`, `-p`, `-u`, `-pw`,
/// `-pwf`, `--nossl`) or their `key=value` forms anywhere on the line, then `XE_EXTRA_ARGS`
/// (comma-separated), then `~/.xe` (one `key=value` per line); the first to give a value wins.
/// Everything else is the command line, passed to the server untouched.
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
            try read(extra.split(separator: ",").map(String.init), passingOn: false)
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
                let text = try next(word)
                guard let number = Int(text), (1...65535).contains(number) else { throw UsageError("Invalid port: \(text)") }
                port = port ?? number
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
            default:
                if word.hasPrefix("-"), !word.hasPrefix("--") {
                    throw UsageError("Unknown switch: \(word)")
                }
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
            guard let number = Int(value), (1...65535).contains(number) else { throw UsageError("Invalid port: \(value)") }
            port = port ?? number
        case "username": username = username ?? value
        case "password": password = password ?? value
        case "passwordfile": passwordFile = passwordFile ?? value
        case "nossl": noSSL = noSSL || value.lowercased() == "true"
        default: debug = debug || value.lowercased() == "true"
        }
    }

    /// The password, from `-pw` or the first line of the `-pwf` file.
    func resolvedPassword() throws(UsageError) -> String? {
        if let password { return password }
        guard let passwordFile else { return nil }
        guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
            throw UsageError("Cannot read the password file \(passwordFile)")
        }
        return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
    }
}

/// A command line the client itself cannot use.
struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
