import Foundation

/// When and how long to wait before sending a failed request again:
/// exponential backoff with full jitter, on the failures Azure documents as
/// transient (connection errors, timeouts, 408, 429, 500, 502, 503, 504),
/// until the give-up time has passed since the request was first sent.
public struct AzureRetryPolicy: Sendable {
    /// Attempts in all, the first included; by default no limit but
    /// ``giveUpAfter``.
    public var maximumAttempts: Int
    /// The backoff ceiling of the first retry; it doubles each time.
    public var initialDelay: Duration
    /// The longest pause between two attempts.
    public var maximumDelay: Duration
    /// How long a request may go without an answer, its retries included,
    /// before it fails as unavailable (`--give-up-after`): `sync` then stops
    /// with exit code 3, `watch` says so and tries again later. Each attempt
    /// is also cut at this time, so a service that accepts connections and
    /// never answers is given up on in time too.
    public var giveUpAfter: Duration

    public init(
        maximumAttempts: Int = .max,
        initialDelay: Duration = .milliseconds(500),
        maximumDelay: Duration = .seconds(30),
        giveUpAfter: Duration = AzureRetryPolicy.defaultGiveUpAfter
    ) {
        self.maximumAttempts = maximumAttempts
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.giveUpAfter = giveUpAfter
    }

    /// The default give-up time: a minute.
    public static let defaultGiveUpAfter = Duration.seconds(60)

    /// Whether a response with `status` may succeed if sent again.
    static func isTransient(status: Int) -> Bool {
        [408, 429, 500, 502, 503, 504].contains(status)
    }

    /// A random pause before retry number `retry` (1 for the first retry).
    func delay(beforeRetry retry: Int) -> Duration {
        let ceiling = min(initialDelay * (1 << min(retry - 1, 20)), maximumDelay)
        let milliseconds = Double(ceiling.components.seconds) * 1000 + Double(ceiling.components.attoseconds) / 1e15
        return .milliseconds(Int64(Double.random(in: 0...1) * milliseconds))
    }
}
