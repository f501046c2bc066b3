import Foundation

/// When and how long to wait before sending a failed request again:
/// exponential backoff with full jitter, on the failures Azure documents as
/// transient (connection errors, timeouts, 408, 429, 500, 502, 503, 504).
public struct AzureRetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maximumAttempts: Int
    /// The backoff ceiling of the first retry; it doubles each time.
    public var initialDelay: Duration
    /// The longest pause between two attempts.
    public var maximumDelay: Duration

    public init(maximumAttempts: Int = 8, initialDelay: Duration = .milliseconds(500), maximumDelay: Duration = .seconds(30)) {
        self.maximumAttempts = maximumAttempts
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

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
