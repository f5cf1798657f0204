import ServiceLifecycle
public import XenCore

/// Runs the toolstack's background work (asynchronous calls) inside the service group, so it
/// starts with the server and drains on graceful shutdown.
public struct BackgroundWorkService: Service {
    public let work: BackgroundWork

    public init(work: BackgroundWork) { self.work = work }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await work.run()
        } onGracefulShutdown: {
            work.finish()
        }
    }
}
