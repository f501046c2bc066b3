import Foundation
import Glibc
import NachetSync
import Synchronization

/// One line at the bottom of a terminal, redrawn in place on standard
/// error: `sync`'s live progress. Log lines written meanwhile go above it
/// (``interrupting(_:)``), so the two never mix.
final class TerminalLine: Sendable {
    private let shown = Mutex<String?>(nil)

    /// Whether standard error is a terminal the line can be drawn on.
    static var isAvailable: Bool { isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb" }

    /// Draws `text` in place of the line shown, cut to the terminal's width.
    func show(_ text: String) {
        shown.withLock { shown in
            let line = String(text.prefix(max(10, Self.width() - 1)))
            Self.write("\r\u{1B}[2K" + line)
            shown = line
        }
    }

    /// Removes the line.
    func clear() {
        shown.withLock { shown in
            if shown != nil { Self.write("\r\u{1B}[2K") }
            shown = nil
        }
    }

    /// Runs `write` (which writes whole lines to standard error) with the
    /// line taken away, then draws it again below.
    func interrupting(_ write: () -> Void) {
        shown.withLock { shown in
            if shown != nil { Self.write("\r\u{1B}[2K") }
            write()
            if let shown { Self.write(shown) }
        }
    }

    private static func write(_ text: String) {
        FileHandle.standardError.writeUnlessClosed(text)
    }

    /// The terminal's width in columns (80 when unknown).
    private static func width() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
