import Synchronization
import XenAPI
import XenDB

/// The scheduled sync (xapi's `pool_periodic_update_sync.ml`), run by the injected clock: the
/// next run is at the start of the next day (daily) or of the next chosen weekday, 1 to 7 days
/// ahead (weekly, 0 = Sunday, days in UTC), plus a random delay of up to a day that spreads the
/// load on the repositories, and never sooner than 2 hours from now. A failed run raises the
/// alert `PERIODIC_UPDATE_SYNC_FAILED`; either way the next run is scheduled.
final class UpdateSyncSchedule: Sendable {
    private let generation = Mutex<Int>(0)
    /// The longest single sleep, so a stopping toolstack is not held up.
    private static let step: Int64 = 1

    /// Plans the next run from the pool's settings, replacing any planned run.
    func reschedule(_ services: CoreServices) {
        let current = generation.withLock { value -> Int in
            value += 1
            return value
        }
        guard let pool = services.database.snapshot.objects(Pool.self).first, pool.updateSyncEnabled else { return }
        let random = services.environment.randomBytes(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let now = services.environment.wallClockSeconds()
        let due = Self.nextRun(
            after: now, frequency: pool.updateSyncFrequency, day: pool.updateSyncDay, delay: Int64(random % 86_400))
        services.environment.background.submit { [self] in
            await self.wait(until: due, generation: current, services)
        }
    }

    private func wait(until due: Int64, generation expected: Int, _ services: CoreServices) async {
        while generation.withLock({ $0 }) == expected, !services.environment.background.isFinishing {
            let left = due - services.environment.wallClockSeconds()
            if left <= 0 {
                await run(services)
                reschedule(services)
                return
            }
            do { try await services.environment.sleep(.seconds(min(left, Self.step))) } catch { return }
        }
    }

    private func run(_ services: CoreServices) async {
        let context = CallContext(session: .null, task: nil, method: "pool.sync_updates", origin: .localSocket)
        do {
            _ = try await PoolOperations.run(services, .syncUpdates, context: context) {
                try await UpdateSync.syncRemote(services, force: false)
            }
        } catch {
            guard let pool = services.database.snapshot.objects(Pool.self).first else { return }
            let reason = (error as? XenAPIError)?.errorDescription.joined(separator: " ") ?? "\(error)"
            let date = DateTime(secondsSinceEpoch: services.environment.wallClockSeconds()).wireText
            _ = try? await AlertMessages.raise(
                services, name: "PERIODIC_UPDATE_SYNC_FAILED", priority: 3, cls: .pool, objUUID: pool.uuid,
                body: "<body><message>Periodic update sync failed.</message><exception>\(reason)</exception><date>\(date)</date></body>")
        }
    }

    /// When the next scheduled sync runs, in seconds since the epoch.
    static func nextRun(after now: Int64, frequency: UpdateSyncFrequency, day: Int64, delay: Int64) -> Int64 {
        let dayLength: Int64 = 86_400
        let today = now / dayLength * dayLength
        // 1 January 1970 was a Thursday (4, counting Sunday as 0).
        let weekday = (now / dayLength + 4) % 7
        var ahead: Int64 = 1
        if frequency == .weekly {
            ahead = (day - weekday + 7) % 7
            if ahead == 0 { ahead = 7 }
        }
        return max(today + ahead * dayLength + delay, now + 2 * 3600)
    }
}
