public import XenAPI

/// Why a command failed, as xe reports it (`xapi_cli.ml`'s exception handler): a XenAPI error,
/// one of the command line's own, or a failure the command reports.
public enum CLIFailure: Error, Sendable, Equatable {
    /// A XenAPI error from one of the command's calls.
    case api(XenAPIError)
    /// The command line could not be read (`Syntax error: <detail>`).
    case syntax(String)
    /// No command of this name.
    case unknownCommand(String)
    /// A required parameter is missing.
    case missingParameter(String)
    /// Parameters the command does not take.
    case unknownParameters([String])
    /// No usable credentials (`Username/password must be specified`, `Authentication failed`).
    case authentication(String)
    /// A failure the command reports, printed as `Error: <text>` (xapi's `Cli_failure`).
    case message(String)
    /// Several objects failed under `--multiple`: each object's uuid and what went wrong.
    case multiple([Failed])

    /// One object's failure under `--multiple`.
    public struct Failed: Sendable, Equatable {
        public var uuid: String
        public var message: String
    }

    /// The lines xe prints on standard error, those it prints on standard output, and its exit code.
    func report(in errors: ErrorDocumentation) -> (standardError: [String], standardOutput: [String], exitCode: Int32) {
        let usage = "For usage run: 'xe help'"
        return switch self {
        case .api(let error): (errors.lines(for: error), [], 1)
        case .syntax(let detail): (["Syntax error: \(detail)", usage], [], 1)
        case .unknownCommand(let name): (["Unknown command: \(name)", usage], [], 1)
        case .missingParameter(let name): (["Required parameter not found: \(name)", usage], [], 1)
        case .unknownParameters(let names): (["Unknown parameter(s): \(names.joined(separator: ", "))", usage], [], 1)
        case .authentication(let text): ([text, usage], [], 1)
        case .message(let text): (["Error: \(text)"], [], 1)
        case .multiple(let failures): ([], failures.map { "operation failed on \($0.uuid): \($0.message)" }, 1)
        }
    }

    /// The failure as one text, for a `--multiple` report.
    func text(in errors: ErrorDocumentation) -> String {
        let report = report(in: errors)
        return (report.standardError + report.standardOutput).joined(separator: "\n")
    }
}
