import Logging

extension Logger.Level {
    /// The syslog priority journald files a line of this level under
    /// (`sd-daemon(3)`: 0 emerg, 1 alert, 2 crit, 3 err, 4 warning, 5 notice,
    /// 6 info, 7 debug). swift-log has nothing above `critical`, and its
    /// `trace` is finer than syslog's finest, so it shares `debug`'s 7.
    package var syslogPriority: Int {
        switch self {
        case .critical: 2
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug, .trace: 7
        }
    }
}

extension JournalStream {
    /// `text` with the `sd-daemon(3)` prefix `<priority>` before each of its
    /// lines: journald makes an entry of every line, and one without a prefix
    /// would be filed at the unit's default priority (info).
    package static func marking(_ text: String, priority: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "<\(priority)>\($0)" }
            .joined(separator: "\n")
    }
}
