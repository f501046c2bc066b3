import Foundation

/// How long the agent keeps retrying a catalogue or blob store it cannot
/// reach before it gives up (`--give-up-after`, `NACHET_SYNC_GIVE_UP_AFTER`),
/// and where it says each failure.
///
/// Given up, `sync` stops with exit code 3 and the reason; `watch` says so
/// once, shows it in `STATUS=`, keeps watching and tries again later.
public struct GiveUpPolicy: Sendable {
    /// How long a request may go unanswered, its retries included.
    public var after: Duration
    /// Where failures and recoveries are said.
    public var health: StoreHealth

    public init(after: Duration, health: StoreHealth) {
        self.after = after
        self.health = health
    }

    /// The default: a minute, long enough for a service restart or a
    /// network blip, short enough that a wrong address is plain soon.
    public static let defaultTime = Duration.seconds(60)

    /// The pause before retry number `retry` (1 for the first): 0.5 s
    /// doubling up to 10 s, never past the give-up time measured from
    /// `start`; zero when that time has passed.
    func pause(beforeRetry retry: Int, since start: ContinuousClock.Instant) -> Duration {
        let backoff = min(Duration.milliseconds(500) * (1 << min(retry - 1, 20)), .seconds(10))
        return max(.zero, min(backoff, start + after - ContinuousClock.now))
    }
}
