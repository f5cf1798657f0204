/// A XenAPI failure: the code and string arguments that travel as `ErrorDescription`.
///
/// Construct these through the generated constructors (`XenAPIError.handleInvalid(class:handle:)`),
/// so every code and argument list comes from the datamodel.
public struct XenAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var parameters: [String]

    public init(code: String, parameters: [String]) {
        self.code = code
        self.parameters = parameters
    }

    /// A failure as it came over the wire, `[code, args…]` (from a server, or a task's
    /// `error_info`); an empty description is an internal error.
    public init(errorDescription description: [String]) {
        guard let code = description.first else {
            self = .internalError(message: "a failure without a code")
            return
        }
        self.init(code: code, parameters: Array(description.dropFirst()))
    }

    /// `[code, args…]`, the wire form.
    public var errorDescription: [String] { [code] + parameters }

    public var description: String { errorDescription.joined(separator: " ") }

    /// xapi's literal `Fault` for `Async.` on a message that has no asynchronous form.
    public static func noAsyncMode(_ method: String) -> XenAPIError {
        XenAPIError(code: "Fault", parameters: ["No async mode for this operation (rpc: \(method))"])
    }
}
