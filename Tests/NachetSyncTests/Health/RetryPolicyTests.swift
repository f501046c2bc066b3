import Foundation
import Testing

@testable import NachetSync

/// The one retry policy of Azure, PostgreSQL, the API client and the live
/// agent's outages, on a clock the test gives.
@Suite("retry policy")
struct RetryPolicyTests {
    let start = ContinuousClock.now

    @Test func theBackoffDoublesUpToItsCeilingAndJitterStaysUnderIt() {
        let policy = RetryPolicy(initialDelay: .milliseconds(500), maximumDelay: .seconds(10))
        #expect((1...7).map(policy.backoff(beforeRetry:)) == [0.5, 1, 2, 4, 8, 10, 10].map { Duration.milliseconds(Int64($0 * 1000)) })
        #expect(policy.backoff(beforeRetry: 10_000) == .seconds(10), "no overflow for a long outage")
        for retry in 1...7 {
            let pause = policy.pause(beforeRetry: retry)
            #expect(pause >= .zero && pause <= policy.backoff(beforeRetry: retry))
        }
        let steady = RetryPolicy(initialDelay: .seconds(1), maximumDelay: .seconds(60), jitter: .none)
        #expect((1...8).map(steady.pause(beforeRetry:)) == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
    }

    @Test func attemptsGoOnUntilTheGiveUpTimeAndNoPauseGoesPastIt() {
        let policy = RetryPolicy(initialDelay: .seconds(4), maximumDelay: .seconds(4), jitter: .none, giveUpAfter: .seconds(10))
        var attempts = policy.attempts(startingAt: start)
        #expect(attempts.pauseAfterFailure(at: start) == .seconds(4))
        #expect(attempts.attempt == 2)
        #expect(attempts.pauseAfterFailure(at: start + .seconds(4)) == .seconds(4))
        #expect(attempts.pauseAfterFailure(at: start + .seconds(8)) == .seconds(2), "cut at the give-up time")
        #expect(attempts.exhaustion(at: start + .seconds(10)) == .deadline(.seconds(10)))
        #expect(attempts.pauseAfterFailure(at: start + .seconds(10)) == nil)
        #expect(attempts.attempt == 4)
    }

    @Test func aPauseDrawnAsZeroIsARetryNotAGiveUp() {
        let policy = RetryPolicy(initialDelay: .nanoseconds(1), maximumDelay: .nanoseconds(1), giveUpAfter: .seconds(60), maximumAttempts: 3)
        var attempts = policy.attempts(startingAt: start)
        #expect(attempts.pauseAfterFailure(at: start) != nil)
        #expect(attempts.pauseAfterFailure(at: start) != nil)
        #expect(attempts.exhaustion(at: start) == .attempts(3), "three attempts in all")
        #expect(attempts.pauseAfterFailure(at: start) == nil)
    }

    @Test func withoutAGiveUpTimeItNeverGivesUp() {
        var attempts = Outage.retry.attempts(startingAt: start)
        for hour in 1...1_000 { #expect(attempts.pauseAfterFailure(at: start + .seconds(3_600 * hour)) == .seconds(60) || hour < 7) }
        #expect(attempts.remaining(at: start) == nil)
        #expect(attempts.exhaustion(at: start + .seconds(1_000_000)) == nil)
    }
}
