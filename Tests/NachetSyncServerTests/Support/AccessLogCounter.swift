import Logging
import Synchronization

/// A logger for an in-process `serve` that counts its access log: one
/// `request` line per request, by route, so a test can tell how many
/// requests a client sent.
final class AccessLogCounter: Sendable {
    private let routes = Mutex<[String: Int]>([:])

    /// A logger counting the `request` lines written to it (others are dropped).
    func logger() -> Logger {
        var logger = Logger(label: "serve") { _ in Handler(counter: self) }
        logger.logLevel = .info
        return logger
    }

    /// Requests to `route` so far.
    func count(_ route: String) -> Int {
        routes.withLock { $0[route] ?? 0 }
    }

    /// Requests to any route so far, by route.
    var all: [String: Int] { routes.withLock { $0 } }

    private struct Handler: LogHandler {
        let counter: AccessLogCounter
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            guard event.message.description == "request", let route = event.metadata?["route"] ?? metadata["route"] else { return }
            counter.routes.withLock { $0["\(route)", default: 0] += 1 }
        }
    }
}
