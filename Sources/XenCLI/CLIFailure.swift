public import XenAPI

/// Why a command failed, as xe reports it: a XenAPI error, or one of the CLI's own.
public enum CLIFailure: Error, Sendable, Equatable {
    /// A XenAPI error from one of the command's calls.
    case api(XenAPIError)
    /// The command line could not be read.
    case syntax
    /// No command of this name.
    case unknownCommand(String)
    /// A required parameter is missing.
    case missingParameter(String)
    /// Parameters the command does not take.
    case unknownParameters([String])
    /// A failure the CLI itself reports, with xe's wording (`Cli_util.Cli_failure`).
    case message(String)
    /// Failures already printed (one per object of a `--multiple` command).
    case reported

    /// The lines xe prints on standard error, and its exit code.
    func report(in errors: ErrorDocumentation) -> (lines: [String], exitCode: Int32) {
        switch self {
        case .api(let error): (errors.lines(for: error), 1)
        case .syntax: (["Syntax error: command name is missing"], 1)
        case .unknownCommand(let name): (["Unknown command: \(name)", "For usage run: 'xe help'"], 1)
        case .missingParameter(let name): (["Required parameter not found: \(name)"], 1)
        case .unknownParameters(let names): (["Unknown parameter(s): \(names.joined(separator: ", "))"], 1)
        case .message(let text): ([text], 1)
        case .reported: ([], 1)
        }
    }
}
