import Logging
import NachetSync

/// The log lines of the connection limits, each naming the limit's setting:
/// at most one line of a kind every 10 s (``RateLimitedLog``), since a
/// hostile client can cause thousands a second.
struct ConnectionEvents: Sendable {
    /// What a limit did.
    enum Event: Sendable {
        /// A new connection closed at once: every connection is busy.
        case refusedFull
        /// A new connection closed at once: its address has as many as it may.
        case refusedAddressFull
        /// A connection waiting for a request closed to let a new one in.
        case replacedLongestWaiting
        /// A connection that sent no whole request head in time, closed.
        case headerTimedOut
        /// A request whose body arrived at `rate` bytes/s, answered 408.
        case bodyTooSlow(rate: Double)
        /// A connection whose client took its answer at `rate` bytes/s, closed.
        case answerTooSlow(rate: Double)
    }

    let limits: ServerLimits
    let log: RateLimitedLog

    init(limits: ServerLimits, logger: Logger) {
        self.limits = limits
        log = RateLimitedLog(logger: logger)
    }

    /// Logs `event` of the connection from `remote`, during a request to
    /// `route` when there is one.
    func record(_ event: Event, remote: String?, route: String? = nil) {
        var metadata: Logger.Metadata = [:]
        if let remote { metadata["remote"] = "\(remote)" }
        if let route { metadata["route"] = "\(route)" }
        let (level, kind, message) = line(for: event)
        log.log(level, kind: kind, message, metadata: metadata)
    }

    /// The level, kind (for the rate limit) and message of `event`.
    private func line(for event: Event) -> (Logger.Level, String, Logger.Message) {
        let connections = limits.maximumConnections
        let rate = "\(limits.minimumRate) bytes/s over \(Self.seconds(limits.rateWindow)) s (\(NumericSetting.serveMinimumRate.variable))"
        switch event {
        case .refusedFull:
            return (
                .warning, "refused-full",
                "closed a new connection: \(connections) connections are open, each busy with a request (\(NumericSetting.serveMaximumConnections.variable))"
            )
        case .refusedAddressFull:
            return (
                .warning, "refused-address",
                "closed a new connection: \(limits.maximumConnectionsPerAddress) connections are open from its address (\(NumericSetting.serveMaximumConnectionsPerAddress.variable))"
            )
        case .replacedLongestWaiting:
            return (
                .notice, "replaced",
                "\(connections) connections are open (\(NumericSetting.serveMaximumConnections.variable)): closed the one waiting longest for a request to let a new one in"
            )
        case .headerTimedOut:
            return (
                .warning, "header-timeout",
                "closed a connection that sent no whole request head within \(Self.seconds(limits.headerTimeout)) s (\(NumericSetting.serveHeaderTimeout.variable))"
            )
        case .bodyTooSlow(let measured):
            return (.warning, "slow-body", "answered 408 to a request whose body arrived at \(Int(measured)) bytes/s, below \(rate)")
        case .answerTooSlow(let measured):
            return (.warning, "slow-answer", "closed a connection whose client took its answer at \(Int(measured)) bytes/s, below \(rate)")
        }
    }

    /// `duration` in seconds, for messages: `20`, `0.5`.
    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value.rounded() == value ? String(Int64(value)) : String(value)
    }
}
