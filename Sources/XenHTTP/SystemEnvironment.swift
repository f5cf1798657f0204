import Foundation
public import XenCore

/// The production environment: the continuous clock, the system's wall clock and random numbers.
public enum SystemEnvironment {
    /// Builds it around the background-work queue the service group runs.
    public static func make(background: BackgroundWork) -> Environment {
        let clock = ContinuousClock()
        let origin = clock.now
        return Environment(
            now: { origin.duration(to: clock.now) },
            sleep: { duration in try await clock.sleep(for: duration) },
            wallClockSeconds: { Int64(Date().timeIntervalSince1970) },
            makeUUID: { UUID().uuidString.lowercased() },
            randomBytes: { count in
                var generator = SystemRandomNumberGenerator()
                return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            },
            background: background)
    }
}
