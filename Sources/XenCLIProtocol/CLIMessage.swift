public import XenRPC

/// One instruction from the server's `/cli` endpoint to the `xe` client.
///
/// xapi's thin CLI protocol (`cli_protocol.ml`) has the server drive the client with commands
/// (print, print to stderr, exit…); ours carries the same commands as JSON lines in a streamed
/// HTTP response, so the client stays a few hundred lines and the command table lives on the server.
public enum CLIMessage: Sendable, Equatable {
    /// Text for standard output, written as is followed by a newline.
    case print(String)
    /// Text for standard error, followed by a newline.
    case printError(String)
    /// How far the command's task has come, from 0 to 1 (a progress bar on a terminal).
    case progress(Double)
    /// The command needs the user's consent: the client asks this question and, if the answer
    /// is `yes`, runs the command line again with `--force` (xe's confirmation prompts).
    case confirm(String)
    /// The client downloads `path` from the server (a second connection, as xapi's thin client
    /// does for `HttpGet`) into the local file `file`, while the command waits for the transfer's task.
    case httpGet(file: String, path: String)
    /// The client uploads its local file `file` to `path` (xapi's `HttpPut`), while the command
    /// waits for the transfer's task.
    case httpPut(file: String, path: String)
    /// The command is over; the client exits with this code.
    case exit(Int32)

    /// The message as one line of JSON, newline included.
    public var line: [UInt8] {
        let value: RPCValue =
            switch self {
            case .print(let text): ["print": .string(text)]
            case .printError(let text): ["stderr": .string(text)]
            case .progress(let fraction): ["progress": .double(fraction)]
            case .confirm(let question): ["confirm": .string(question)]
            case .httpGet(let file, let path): ["httpGet": ["file": .string(file), "path": .string(path)]]
            case .httpPut(let file, let path): ["httpPut": ["file": .string(file), "path": .string(path)]]
            case .exit(let code): ["exit": .int(Int64(code))]
            }
        return JSONRPC.encode(value) + [0x0A]
    }

    /// Reads one line the server sent; `nil` for a line this client does not know (a newer
    /// server's instruction), which the client skips.
    public init?(line: some Collection<UInt8>) throws(JSONRPCParseError) {
        let value = try JSONRPC.decode(line)
        if let text = value["print"]?.stringValue {
            self = .print(text)
        } else if let text = value["stderr"]?.stringValue {
            self = .printError(text)
        } else if let fraction = value["progress"] {
            switch fraction {
            case .double(let number): self = .progress(number)
            case .int(let number): self = .progress(Double(number))
            default: return nil
            }
        } else if let get = value["httpGet"], let file = get["file"]?.stringValue, let path = get["path"]?.stringValue {
            self = .httpGet(file: file, path: path)
        } else if let put = value["httpPut"], let file = put["file"]?.stringValue, let path = put["path"]?.stringValue {
            self = .httpPut(file: file, path: path)
        } else if let question = value["confirm"]?.stringValue {
            self = .confirm(question)
        } else if case .int(let code) = value["exit"] {
            self = .exit(Int32(clamping: code))
        } else {
            return nil
        }
    }

    /// The content type of a `/cli` response.
    public static let contentType = "application/x-ndjson"
}
