import Foundation

/// How an operation that failed for a passing reason is tried again: the
/// one policy every client of the agent follows (Azure, PostgreSQL, Nachet's
/// API, and the live agent's pause after an outage).
///
/// The pause before each retry grows exponentially from ``initialDelay`` up
/// to ``maximumDelay``, with full jitter (a random part of it, so many
/// agents retrying at once spread out) or without; retrying stops once
/// ``giveUpAfter`` has passed since the first try, or the attempts run out.
/// The caller says each failure at once (``StoreHealth``), so a pause is
/// never silent.
package struct RetryPolicy: Sendable, Equatable {
    /// Whether each pause is a random part of its backoff.
    package enum Jitter: Sendable, Equatable {
        /// Uniform between zero and the backoff (AWS's "full jitter").
        case full
        /// The backoff itself.
        case none
    }

    /// The backoff of the first retry; it doubles with each retry.
    package var initialDelay: Duration
    /// The longest pause between two attempts.
    package var maximumDelay: Duration
    package var jitter: Jitter
    /// How long an operation may go on failing, its retries included,
    /// before it is given up (`--give-up-after`); `nil`: never.
    package var giveUpAfter: Duration?
    /// Attempts in all, the first included.
    package var maximumAttempts: Int

    package init(
        initialDelay: Duration = .milliseconds(500),
        maximumDelay: Duration = .seconds(10),
        jitter: Jitter = .full,
        giveUpAfter: Duration? = RetryPolicy.defaultGiveUpAfter,
        maximumAttempts: Int = .max
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.jitter = jitter
        self.giveUpAfter = giveUpAfter
        self.maximumAttempts = max(1, maximumAttempts)
    }

    /// The default give-up time: a minute, long enough for a service restart
    /// or a network blip, short enough that a wrong address is plain soon.
    package static let defaultGiveUpAfter = Duration.seconds(60)

    /// The backoff before retry number `retry` (1 for the first retry),
    /// before jitter: ``initialDelay`` doubled `retry - 1` times, at most
    /// ``maximumDelay``.
    package func backoff(beforeRetry retry: Int) -> Duration {
        min(initialDelay * (1 << min(max(retry, 1) - 1, 20)), maximumDelay)
    }

    /// The pause before retry number `retry`: its backoff, or a random part
    /// of it with full jitter.
    package func pause(beforeRetry retry: Int) -> Duration {
        let ceiling = backoff(beforeRetry: retry)
        guard jitter == .full else { return ceiling }
        return ceiling * Double.random(in: 0...1)
    }

    /// The retries of one operation whose first attempt starts at `start`.
    package func attempts(startingAt start: ContinuousClock.Instant) -> RetryAttempts {
        RetryAttempts(policy: self, start: start)
    }
}

/// The attempts of one operation under a ``RetryPolicy``: counts them and
/// says, after each failure, how long to pause before the next, or that it
/// is time to give up.
package struct RetryAttempts: Sendable {
    /// Why the operation was given up.
    package enum Exhaustion: Sendable, Equatable {
        /// The give-up time passed.
        case deadline(Duration)
        /// Every attempt allowed was made.
        case attempts(Int)
    }

    package let policy: RetryPolicy
    /// When the first attempt started.
    package let start: ContinuousClock.Instant
    /// The attempt under way, 1 for the first.
    package private(set) var attempt = 1

    /// When the operation is given up; `nil` when never.
    package var deadline: ContinuousClock.Instant? { policy.giveUpAfter.map { start + $0 } }

    /// The time left before the operation is given up, never below zero;
    /// `nil` when it never is.
    package func remaining(at now: ContinuousClock.Instant) -> Duration? {
        deadline.map { max(.zero, $0 - now) }
    }

    /// After the current attempt failed at `now`: the pause before the next
    /// one (never past the give-up time), counting it; `nil` when the
    /// operation is to be given up (``exhaustion(at:)`` says why).
    ///
    /// Given up when the time is up or the attempts ran out, never because
    /// a random pause came out as zero.
    package mutating func pauseAfterFailure(at now: ContinuousClock.Instant) -> Duration? {
        guard exhaustion(at: now) == nil else { return nil }
        let pause = policy.pause(beforeRetry: attempt)
        attempt += 1
        guard let left = remaining(at: now) else { return pause }
        return min(pause, left)
    }

    /// Why no further attempt may be made at `now`; `nil` when one may.
    package func exhaustion(at now: ContinuousClock.Instant) -> Exhaustion? {
        if attempt >= policy.maximumAttempts { return .attempts(attempt) }
        if let giveUpAfter = policy.giveUpAfter, let left = remaining(at: now), left <= .zero { return .deadline(giveUpAfter) }
        return nil
    }
}
