import Foundation
import Logging
import NachetSync

/// Shows how a `sync` goes while it runs: on a terminal, one live line
/// redrawn four times a second and cleared at the end; otherwise (a log, a
/// pipe, journald) a summary line every 30 seconds. Reads the tally the
/// engine keeps (``SyncProgress``); the library draws nothing.
struct ProgressDisplay: Sendable {
    enum Mode: Sendable {
        /// A live line on the terminal.
        case terminal(TerminalLine)
        /// A summary in the log every so often.
        case summary(every: Duration, Logger)
    }

    let progress: SyncProgress
    let mode: Mode

    /// The live line's redraw period: often enough to look live, rarely
    /// enough to cost nothing.
    static let redrawPeriod = Duration.milliseconds(250)

    /// The summary period when standard error is not a terminal; the
    /// environment's `NACHET_SYNC_PROGRESS_INTERVAL` (seconds; for tests,
    /// not a documented setting) when set.
    static func summaryPeriod(environment: [String: String] = ProcessInfo.processInfo.environment) -> Duration {
        guard let text = environment[Setting.progressInterval.variable], let seconds = Double(text), seconds.isFinite, seconds >= 0.05,
            seconds <= 86_400
        else { return .seconds(30) }
        return .milliseconds(Int64(seconds * 1000))
    }

    /// Shows the progress until the task is cancelled; clears the live line.
    func run() async {
        let start = ContinuousClock.now
        var rates = RateWindow()
        let period: Duration
        switch mode {
        case .terminal: period = Self.redrawPeriod
        case .summary(let every, _): period = every
        }
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            if Task.isCancelled { break }
            let snapshot = progress.snapshot
            let now = ContinuousClock.now
            let text = ProgressText(snapshot: snapshot, bytesPerSecond: rates.add(bytes: snapshot.bytesRead, at: now), elapsed: now - start)
            switch mode {
            case .terminal(let line): line.show(text.line)
            case .summary(_, let logger): logger.info("\(text.summary)")
            }
        }
        if case .terminal(let line) = mode { line.clear() }
    }
}
