import Foundation
import Logging

/// How log lines are written to standard error.
package enum LogFormat: String, Sendable, CaseIterable {
    /// `2026-11-25T03:00:00Z error folder=/drop/a file=IMG_1.png cannot store the image …`
    case text
    /// One JSON object a line, for journald or a log shipper.
    case json
}

/// A log handler writing one line per event to standard error, as text or
/// JSON, with the metadata (folder, file, picture id) as fields.
///
/// Under systemd, when standard error is the journal (``JournalStream``),
/// each line starts with its level's syslog priority (`<3>` for an error),
/// so `journalctl -p err` and `-p warning` filter the agent's lines.
package struct AgentLogHandler: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    private let format: LogFormat
    private let label: String
    private let output: FileHandle
    private let marksPriorities: Bool

    /// A handler writing to standard error, marking priorities when it is the journal.
    package init(label: String, format: LogFormat, level: Logger.Level) {
        self.init(
            label: label, format: format, level: level, output: .standardError,
            marksPriorities: JournalStream.standardErrorIsJournal)
    }

    /// A handler writing to `output`.
    /// - Parameters:
    ///   - output: Where the lines go.
    ///   - marksPriorities: Whether each line starts with its syslog
    ///     priority (`<3>`…), as journald reads it.
    package init(label: String, format: LogFormat, level: Logger.Level, output: FileHandle, marksPriorities: Bool) {
        self.label = label
        self.format = format
        logLevel = level
        self.output = output
        self.marksPriorities = marksPriorities
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        let time = Date().formatted(.iso8601)
        let line: String
        switch format {
        case .text:
            // One event, one line: a newline or an escape sequence in a file
            // name cannot forge a line or command the terminal.
            let pairs = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quoted("\($0.value)").escapingControlCharacters)" }
            line = ([time, "\(event.level)"] + pairs + [event.message.description.escapingControlCharacters]).joined(separator: " ")
        case .json:
            var object: [String: String] = fields.mapValues { "\($0)" }
            object["time"] = time
            object["level"] = "\(event.level)"
            object["message"] = event.message.description
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            line = (try? encoder.encode(object)).map { String(decoding: $0, as: UTF8.self) } ?? event.message.description
        }
        let marked = marksPriorities ? JournalStream.marking(line, priority: event.level.syslogPriority) : line
        output.writeUnlessClosed(marked + "\n")
    }

    private static func quoted(_ value: String) -> String {
        guard value.contains(" ") || value.contains("\"") || value.isEmpty else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
