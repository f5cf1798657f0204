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

    /// `[code, args…]`, the wire form.
    public var errorDescription: [String] { [code] + parameters }

    public var description: String { errorDescription.joined(separator: " ") }

    /// xapi's literal `Fault` for `Async.` on a message that has no asynchronous form.
    public static func noAsyncMode(_ method: String) -> XenAPIError {
        XenAPIError(code: "Fault", parameters: ["No async mode for this operation (rpc: \(method))"])
    }
}
