import Foundation
import Logging
import NachetSync
import NachetSyncTestSupport
import Testing

/// The agent's log lines, as journald and a terminal see them.
@Suite("agent log handler")
struct AgentLogHandlerTests {
    /// Logs one event of each level through a handler writing to a file, and
    /// returns the file's lines.
    func lines(format: LogFormat, marksPriorities: Bool) throws -> [String] {
        try lines(format: format, marksPriorities: marksPriorities) { logger in
            for level in Logger.Level.allCases {
                logger.log(level: level, "a \(level) event", metadata: ["folder": "/drop/set a"])
            }
        }
    }

    /// The lines a handler writing to a file wrote while `body` logged.
    func lines(format: LogFormat, marksPriorities: Bool, _ body: (Logger) -> Void) throws -> [String] {
        let directory = TemporaryDirectory()
        let path = directory.appending("log")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let logger = Logger(label: "test") { label in
            AgentLogHandler(label: label, format: format, level: .trace, output: output, marksPriorities: marksPriorities)
        }
        body(logger)
        try output.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").map(String.init)
    }

    @Test(arguments: LogFormat.allCases)
    func underJournaldEachLineStartsWithItsPriority(format: LogFormat) throws {
        let written = try lines(format: format, marksPriorities: true)
        let expected: [Logger.Level: String] = [
            .trace: "<7>", .debug: "<7>", .info: "<6>", .notice: "<5>", .warning: "<4>", .error: "<3>", .critical: "<2>",
        ]
        try #require(written.count == Logger.Level.allCases.count)
        for (level, line) in zip(Logger.Level.allCases, written) {
            let prefix = try #require(expected[level])
            #expect(line.hasPrefix(prefix), "\(line)")
            // After the prefix, the line the format writes without journald.
            #expect(line.dropFirst(prefix.count).contains("a \(level) event"), "\(line)")
        }
    }

    @Test(arguments: LogFormat.allCases)
    func elsewhereLinesCarryNoPrefix(format: LogFormat) throws {
        for line in try lines(format: format, marksPriorities: false) {
            #expect(!line.hasPrefix("<"), "\(line)")
        }
    }

    @Test func aJSONLineStaysOneJSONObjectAfterItsPrefix() throws {
        let line = try #require(try lines(format: .json, marksPriorities: true).first { $0.hasPrefix("<3>") })
        let object = try JSONSerialization.jsonObject(with: Data(line.dropFirst(3).utf8)) as? [String: String]
        #expect(object?["level"] == "error")
        #expect(object?["folder"] == "/drop/set a")
    }

    /// A file named by whoever fills the drop folder, holding a newline that
    /// starts a forged entry and an escape sequence that clears the screen.
    static let hostileName = "a.png\n2026-11-30T00:00:00Z error FAKE the datastore was wiped\u{1B}[2J"

    @Test(arguments: LogFormat.allCases)
    func aNameWithANewlineOrAnEscapeStaysOnItsEventsLine(format: LogFormat) throws {
        let written = try lines(format: format, marksPriorities: true) { logger in
            logger.warning("not taking \(Self.hostileName)", metadata: ["entry": "\(Self.hostileName)"])
        }
        #expect(written.count == 1, "one event, one line: \(written)")
        #expect(written.allSatisfy { $0.hasPrefix("<4>") }, "no line of another priority: \(written)")
        #expect(!written.joined().unicodeScalars.contains { $0.value == 0x1B }, "no escape reaches the terminal")
        #expect(written.first?.contains("FAKE the datastore was wiped") == true, "the name is still shown: \(written)")
    }
}
