import ArgumentParser
import Foundation
import Hummingbird
import Logging

/// `xen-repo serve FOLDER`: the folder as a web server would serve a repository at its base URL.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a folder (a repository, or a folder of repositories) over HTTP; prints the URL, then runs until stopped.")

    @Argument(help: "The folder to serve.")
    var folder: String

    @Option(name: .long, help: "Address to listen on; port 0 picks a free one.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on (0: any free port).")
    var port = 0

    func run() async throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("\(folder) is not a folder")
        }
        var logger = Logger(label: "xen-repo")
        logger.logLevel = .warning
        let router = Router()
        router.add(middleware: FileMiddleware(URL(fileURLWithPath: folder).standardizedFileURL.path, logger: logger))
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                FileHandle.standardOutput.write(Data("serving \(folder) on http://\(host):\(bound)/\n".utf8))
            }, logger: logger)
        try await app.runService()
    }
}
