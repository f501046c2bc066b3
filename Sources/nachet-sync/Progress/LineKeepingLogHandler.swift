import Logging

/// A log handler that writes its lines above the live progress line
/// instead of through it.
struct LineKeepingLogHandler: LogHandler {
    var handler: any LogHandler
    let line: TerminalLine

    var logLevel: Logger.Level {
        get { handler.logLevel }
        set { handler.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { handler.metadata }
        set { handler.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { handler[metadataKey: key] }
        set { handler[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        line.interrupting { handler.log(event: event) }
    }
}
