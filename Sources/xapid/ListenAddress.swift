import ArgumentParser

/// `HOST:PORT` as given to `--listen` (`[::1]:8080` for IPv6).
struct ListenAddress {
    var host: String
    var port: Int

    init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw ValidationError("expected HOST:PORT, got '\(text)'") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError("expected HOST:PORT, got '\(text)'") }
        self.host = host
        self.port = port
    }
}
