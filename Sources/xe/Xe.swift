import Foundation
import XenCLIProtocol

/// `xe`: the command-line interface to a swift-xapi (or XenServer) pool. A thin client, as xapi's
/// is: it sends the command line to the server's `/cli` endpoint and does what the server says
/// (print, show progress, exit), so it always matches the server's commands.
@main
struct Xe {
    static func main() async {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["HOME"].flatMap { try? String(contentsOfFile: $0 + "/.xe", encoding: .utf8) }
        do {
            let options = try ConnectionOptions(
                arguments: Array(CommandLine.arguments.dropFirst()), environment: environment, homeFile: home)
            guard !options.words.isEmpty else { throw UsageError("", showUsage: true, exitCode: 0) }
            exit(try await run(options))
        } catch let error as UsageError {
            if !error.message.isEmpty { Output.standardError(error.message) }
            if error.showUsage { Output.standardError(UsageError.usage) }
            exit(error.exitCode)
        } catch let error as ConnectionFailure {
            Output.standardError(error.message)
            exit(1)
        } catch {
            Output.standardError("Error: \(error)")
            exit(1)
        }
    }

    /// Runs the command line on the server; returns the exit code it sends.
    static func run(_ options: ConnectionOptions) async throws -> Int32 {
        var words = options.words
        let target: CLIConnection.Target
        if let server = options.server {
            let tls = !options.noSSL
            target = .tcp(host: server, port: options.port ?? (tls ? 443 : 80), tls: tls)
            let (username, password) = try options.credentials()
            if let username { words.append("username=\(username)") }
            if let password { words.append("password=\(password)") }
        } else {
            target = .unixSocket(options.socketPath)
        }
        if Output.standardErrorIsTerminal { words.append("progress=true") }
        let body = Array(words.map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n").utf8)
        var exitCode: Int32?
        var question: String?
        var progress = ProgressBar()
        let connection = CLIConnection(target: target)
        try await connection.send(body: body) { line in
            if options.debug { Output.standardError("<- " + String(decoding: line, as: UTF8.self)) }
            guard let message = try CLIMessage(line: line) else { return }
            switch message {
            case .print(let text):
                progress.clear()
                Output.standardOutput(text)
            case .printError(let text):
                progress.clear()
                Output.standardError(text)
            case .progress(let fraction):
                progress.draw(fraction)
            case .confirm(let text):
                question = text
            case .httpGet(let file, let path):
                do {
                    try await connection.download(path, into: file)
                } catch let failure as ConnectionFailure {
                    progress.clear()
                    Output.standardError(failure.message)
                } catch {
                    // The server may end a transfer early (a refused import); its task says why.
                }
            case .httpPut(let file, let path):
                do {
                    try await connection.upload(file, to: path)
                } catch let failure as ConnectionFailure {
                    progress.clear()
                    Output.standardError(failure.message)
                } catch {
                    // The server may end a transfer early (a refused import); its task says why.
                }
            case .exit(let code):
                progress.clear()
                exitCode = code
            }
        }
        guard let exitCode else { throw ConnectionFailure("Lost connection to the server.") }
        if let question, exitCode == 0 {
            Output.standardOutput(question)
            let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces)
            guard answer.lowercased() == "yes" else {
                Output.standardOutput("Aborted (you typed: '\(answer)')")
                return 0
            }
            var confirmed = options
            confirmed.words.append("--force")
            return try await run(confirmed)
        }
        return exitCode
    }
}
