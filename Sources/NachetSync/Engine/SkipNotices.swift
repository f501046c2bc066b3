import Logging
import Synchronization

/// Says each entry a folder pass leaves out, and each note on a folder, once:
/// the live agent passes over the same folders again and again, and a line
/// repeated at every pass would bury the one that matters.
///
/// What is remembered per folder is what it holds now, so an entry that goes
/// away and comes back is said again, and memory follows the folders.
final class SkipNotices: Sendable {
    private struct Said {
        var skipped: Set<SkippedEntry> = []
        var notes: Set<String> = []
    }

    private let said = Mutex<[String: Said]>([:])

    /// Logs the entries of `folder` not said before; problems as warnings.
    func announce(_ skipped: [SkippedEntry], in folder: String, logger: Logger) {
        let new = said.withLock { said in
            let before = said[folder]?.skipped ?? []
            said[folder, default: Said()].skipped = Set(skipped)
            return skipped.filter { !before.contains($0) }
        }
        for entry in new {
            logger.log(
                level: entry.isProblem ? .warning : .info, "not taking \(entry.name): \(entry.explanation)",
                metadata: ["entry": "\(entry.name)", "reason": "\(entry.reason.rawValue)"])
        }
    }

    /// Logs the notes on `folder` not said before, as warnings.
    func announce(notes: [String], in folder: String, logger: Logger) {
        let new = said.withLock { said in
            let before = said[folder]?.notes ?? []
            said[folder, default: Said()].notes = Set(notes)
            return notes.filter { !before.contains($0) }
        }
        for note in new { logger.warning("\(note)") }
    }

    /// Forgets every folder but those in `present` (after a full scan).
    func forgetFolders(except present: Set<String>) {
        said.withLock { said in said = said.filter { present.contains($0.key) } }
    }
}
