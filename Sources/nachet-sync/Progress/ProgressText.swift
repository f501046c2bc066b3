import Foundation
import NachetSync

/// The words of `sync`'s progress: the live line on a terminal and the
/// periodic summary in a log, from a ``SyncProgress/Snapshot`` and the
/// recent reading speed.
struct ProgressText {
    var snapshot: SyncProgress.Snapshot
    /// Bytes read per second lately.
    var bytesPerSecond: Double
    /// Time since the sync began.
    var elapsed: Duration

    /// `sets 3/12 · files 1204/2000 · 45.1 MiB/s · ETA 0:42`
    var line: String {
        let files = snapshot.files.map { "\(snapshot.filesDone)/\($0)" } ?? "\(snapshot.filesDone)"
        var parts = ["sets \(snapshot.setFoldersDone)/\(snapshot.setFolders)", "files \(files)", Self.rate(bytesPerSecond)]
        if let remaining = remaining { parts.append("ETA " + Self.clock(remaining)) }
        if snapshot.failed > 0 { parts.append("\(snapshot.failed) failed") }
        return parts.joined(separator: " · ")
    }

    /// `progress: 3 of 12 sets, 1204 files done (1180 uploaded, 2 failed), 45.1 MiB/s, 2 min 3 s so far`
    var summary: String {
        "progress: \(snapshot.setFoldersDone) of \(snapshot.setFolders) sets, \(snapshot.filesDone) files done "
            + "(\(snapshot.uploaded) uploaded, \(snapshot.failed) failed), \(Self.rate(bytesPerSecond)), \(Self.words(elapsed)) so far"
    }

    /// The time left at the present speed, when the total is known and
    /// something is being read.
    var remaining: Duration? {
        guard let total = snapshot.bytes, bytesPerSecond > 0 else { return nil }
        let seconds = Double(max(0, total - snapshot.bytesDone)) / bytesPerSecond
        guard seconds.isFinite, seconds < 100 * 3600 else { return nil }
        return .seconds(seconds)
    }

    static func rate(_ bytesPerSecond: Double) -> String {
        String(format: "%.1f MiB/s", bytesPerSecond / 1_048_576)
    }

    /// `0:42`, `12:05`, `1:02:33`.
    static func clock(_ duration: Duration) -> String {
        let total = Int(duration.components.seconds)
        let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, seconds) : String(format: "%d:%02d", minutes, seconds)
    }

    /// `42 s`, `2 min 3 s`, `1 h 2 min`.
    static func words(_ duration: Duration) -> String {
        let total = Int(duration.components.seconds)
        if total < 60 { return "\(total) s" }
        if total < 3600 { return "\(total / 60) min \(total % 60) s" }
        return "\(total / 3600) h \(total / 60 % 60) min"
    }
}

/// The reading speed over the last few seconds, from samples of the bytes
/// read so far.
struct RateWindow {
    private var samples: [(time: ContinuousClock.Instant, bytes: Int64)] = []
    /// How far back the speed is measured.
    var span: Duration = .seconds(10)

    /// Adds a sample and returns the speed in bytes per second.
    mutating func add(bytes: Int64, at time: ContinuousClock.Instant) -> Double {
        samples.append((time, bytes))
        while let first = samples.first, time - first.time > span, samples.count > 2 { samples.removeFirst() }
        guard let first = samples.first, time > first.time else { return 0 }
        let seconds = Double((time - first.time).components.seconds) + Double((time - first.time).components.attoseconds) / 1e18
        return Double(bytes - first.bytes) / seconds
    }
}
