import Foundation

/// Runs one of the system's own tools (`mount`, `tar`, `mke2fs`…) to its end, found on `PATH`
/// through `/usr/bin/env`, its output and errors gathered for the error it becomes.
public enum SystemCommand {
    /// A tool that could not be started, or that exited with a non-zero status.
    public struct Failure: Error, Sendable, Hashable {
        /// The exit status, -1 when the tool could not be started.
        public var status: Int32
        /// What the tool said on its output and errors.
        public var output: String
    }

    /// Runs `program` with `arguments` and waits for it.
    public static func run(_ program: String, _ arguments: [String]) throws(Failure) {
        _ = try output(program, arguments)
    }

    /// Runs `program` with `arguments`, waits for it, and returns what it wrote.
    public static func output(_ program: String, _ arguments: [String]) throws(Failure) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            throw Failure(status: -1, output: "\(error)")
        }
        let said = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(status: process.terminationStatus, output: String(decoding: said, as: UTF8.self))
        }
        return String(decoding: said, as: UTF8.self)
    }
}
