import Logging
import Synchronization

/// Log lines of one kind at most once per ``interval``: the first at once,
/// the next after the interval with the count of those left out between
/// (`"more": "N"`). So a thousand refused connections a second cost a line
/// every few seconds, not a thousand, and the log still says they happened.
final class RateLimitedLog: Sendable {
    private struct Kind {
        var quietUntil: ContinuousClock.Instant
        var leftOut: Int
    }

    let logger: Logger
    let interval: Duration
    private let kinds = Mutex<[String: Kind]>([:])

    init(logger: Logger, interval: Duration = .seconds(10)) {
        self.logger = logger
        self.interval = interval
    }

    /// Logs `message` unless a line of `kind` was logged less than
    /// ``interval`` ago (then only counts it).
    func log(_ level: Logger.Level, kind: String, _ message: Logger.Message, metadata: Logger.Metadata) {
        let now = ContinuousClock.now
        let leftOut: Int? = kinds.withLock { kinds in
            if let known = kinds[kind], now < known.quietUntil {
                kinds[kind]?.leftOut += 1
                return nil
            }
            let leftOut = kinds[kind]?.leftOut ?? 0
            kinds[kind] = Kind(quietUntil: now + interval, leftOut: 0)
            return leftOut
        }
        guard let leftOut else { return }
        var metadata = metadata
        if leftOut > 0 { metadata["more"] = "\(leftOut)" }
        logger.log(level: level, message, metadata: metadata)
    }
}
