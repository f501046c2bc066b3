import Logging
import NachetSync

/// The log lines of the connection limits, each naming the limit's setting:
/// at most one line of a kind every 10 s (``RateLimitedLog``), since a
/// hostile client can cause thousands a second.
struct ConnectionEvents: Sendable {
    let limits: ServerLimits
    let log: RateLimitedLog

    init(limits: ServerLimits, logger: Logger) {
        self.limits = limits
        log = RateLimitedLog(logger: logger)
    }

    /// A new connection closed at once: every connection is busy.
    func refusedFull(_ remote: String?) {
        log.log(
            .warning, kind: "refused-full",
            "closed a new connection: \(limits.maximumConnections) connections are open, each busy with a request (\(NumericSetting.serveMaximumConnections.variable))",
            metadata: metadata(remote))
    }

    /// A new connection closed at once: its address has as many as it may.
    func refusedAddressFull(_ remote: String?) {
        log.log(
            .warning, kind: "refused-address",
            "closed a new connection: \(limits.maximumConnectionsPerAddress) connections are open from its address (\(NumericSetting.serveMaximumConnectionsPerAddress.variable))",
            metadata: metadata(remote))
    }

    /// A connection waiting for a request closed to let a new one in.
    func replacedLongestWaiting(_ remote: String?) {
        log.log(
            .notice, kind: "replaced",
            "\(limits.maximumConnections) connections are open (\(NumericSetting.serveMaximumConnections.variable)): closed the one waiting longest for a request to let a new one in",
            metadata: metadata(remote))
    }

    /// A connection that sent no whole request head in time, closed.
    func headerTimedOut(_ remote: String?) {
        log.log(
            .warning, kind: "header-timeout",
            "closed a connection that sent no whole request head within \(Self.seconds(limits.headerTimeout)) s (\(NumericSetting.serveHeaderTimeout.variable))",
            metadata: metadata(remote))
    }

    /// A request whose body arrived too slowly, answered 408.
    func bodyTooSlow(_ remote: String?, route: String?, rate: Double) {
        var fields = metadata(remote)
        if let route { fields["route"] = "\(route)" }
        log.log(
            .warning, kind: "slow-body",
            "answered 408 to a request whose body arrived at \(Int(rate)) bytes/s, below \(limits.minimumRate) bytes/s over \(Self.seconds(limits.rateWindow)) s (\(NumericSetting.serveMinimumRate.variable))",
            metadata: fields)
    }

    /// A connection whose client took its answer too slowly, closed.
    func answerTooSlow(_ remote: String?, route: String?, rate: Double) {
        var fields = metadata(remote)
        if let route { fields["route"] = "\(route)" }
        log.log(
            .warning, kind: "slow-answer",
            "closed a connection whose client took its answer at \(Int(rate)) bytes/s, below \(limits.minimumRate) bytes/s over \(Self.seconds(limits.rateWindow)) s (\(NumericSetting.serveMinimumRate.variable))",
            metadata: fields)
    }

    private func metadata(_ remote: String?) -> Logger.Metadata {
        remote.map { ["remote": "\($0)"] } ?? [:]
    }

    /// `duration` in seconds, for messages: `20`, `0.5`.
    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value.rounded() == value ? String(Int64(value)) : String(value)
    }
}
