import Foundation
import Logging
import Synchronization

/// A logger whose messages the test can read.
package final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])
    private let detailed = Mutex<[String]>([])

    package init() {}

    /// A logger writing here, at `level` and above.
    package func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "captured") { _ in Handler(log: self) }
        logger.logLevel = level
        return logger
    }

    /// Every message so far.
    package var messages: [String] { lines.withLock { $0 } }

    /// Every message so far, each followed by its metadata (`key=value`,
    /// sorted by key).
    package var messagesWithMetadata: [String] { detailed.withLock { $0 } }

    fileprivate func append(_ line: String, metadata: Logger.Metadata) {
        lines.withLock { $0.append(line) }
        let fields = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        detailed.withLock { $0.append(([line] + fields).joined(separator: " ")) }
    }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.append("\(event.level): \(event.message)", metadata: metadata.merging(event.metadata ?? [:]) { $1 })
        }
    }
}
