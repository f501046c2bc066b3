import Foundation

/// What the live agent does next, decided from what it saw and when: which
/// set folders are due for a pass, when every folder is scanned again, how
/// long to pause after an outage, and when to wake.
///
/// A value with no I/O, told the time by its caller, so its rules are
/// tested without inotify, folders or sleeping; ``DropFolderWatcher``
/// performs what it decides and tells it how that went.
struct WatchScheduler: Sendable {
    typealias Instant = ContinuousClock.Instant

    let options: WatchOptions
    /// Set folders waiting for a pass, and when it is due.
    private(set) var due: [String: Instant] = [:]
    /// When every drop folder is listed again (and missing ones looked for).
    private(set) var nextFullScan: Instant
    /// When sets are checked in the datastore.
    private(set) var verification: VerificationSchedule
    /// A failure of every file (a store down), and the pause before the next try.
    private(set) var outage = Outage()

    /// A schedule whose first full scan, and first datastore round when
    /// the check is on, are due at `start`.
    init(options: WatchOptions, start: Instant) {
        self.options = options
        nextFullScan = start
        verification = VerificationSchedule(interval: options.verifyInterval, start: start)
    }

    /// Takes the changes inotify saw: each folder with activity is due once
    /// it has been quiet for the stability window (a later change pushes
    /// it back); a lost event or a vanished drop folder asks for a full scan.
    mutating func take(_ changes: FolderChanges.Pending, at now: Instant) {
        if changes.fullScan { nextFullScan = now }
        for folder in changes.folders.union(changes.newFolders) {
            due[folder] = now + options.stabilityWindow
        }
    }

    /// A watched drop folder is gone: everything is scanned again now.
    mutating func dropFolderVanished(at now: Instant) {
        nextFullScan = now
    }

    /// Whether every drop folder is to be listed now.
    func isFullScanDue(at now: Instant) -> Bool {
        now >= nextFullScan
    }

    /// A full scan listed `folders`: each is due now, and the next full
    /// scan comes after the rescan interval, or the shorter poll interval
    /// while some folders cannot be watched (`polling`), or sooner when a
    /// datastore round is due before.
    ///
    /// - Returns: Whether a datastore round starts with this scan.
    mutating func fullScanFound(_ folders: Set<String>, polling: Bool, at now: Instant) -> Bool {
        due = Dictionary(uniqueKeysWithValues: folders.map { ($0, now) })
        verification.keep(only: folders)
        let startsRound = verification.fullScan(found: folders, at: now)
        nextFullScan = now + (polling ? options.pollInterval : options.rescanInterval)
        // A round due before the next rescan starts with a scan of its own.
        if let round = verification.nextRound { nextFullScan = min(nextFullScan, max(round, now + .seconds(1))) }
        return startsRound
    }

    /// The folders whose pass is due at `now`, in name order.
    func dueFolders(at now: Instant) -> [String] {
        due.filter { $0.value <= now }.keys.sorted()
    }

    /// A pass of `folder` starts: it is no longer waiting.
    /// - Returns: Whether the pass checks the folder's set in the datastore.
    mutating func passStarts(_ folder: String) -> Bool {
        due[folder] = nil
        return verification.isDue(folder)
    }

    /// A pass of `folder` ended (the folder may have been gone).
    ///
    /// - Parameter filesWaiting: Whether files of the folder are still
    ///   being written: it is looked at again after a quarter of the window.
    /// - Returns: The outage that ended with this pass, to be said.
    mutating func passEnded(_ folder: String, filesWaiting: Bool, at now: Instant) -> String? {
        verification.checked(folder)
        if filesWaiting { due[folder] = now + max(options.stabilityWindow / 4, .milliseconds(100)) }
        guard let ended = outage.message else { return nil }
        outage = Outage()
        // What was skipped during the outage is found by a full scan now.
        nextFullScan = now
        return ended
    }

    /// A pass failed for every file (a store down, the state file failing):
    /// nothing more is started until the pause is over, then everything is
    /// scanned again. The pause doubles with each failure, up to a minute.
    ///
    /// - Returns: Whether the failure differs from the last one (a new
    ///   failure is said; the same one again is not), and the pause.
    mutating func passFailed(_ message: String, at now: Instant) -> (isNew: Bool, retryIn: Duration) {
        let isNew = outage.message != message
        outage.record(message)
        due.removeAll()
        nextFullScan = now + outage.delay
        return (isNew, outage.delay)
    }

    /// Whether nothing is due and no outage is on: the time to check the
    /// sets of folders skipped as unchanged.
    func isIdle(at now: Instant) -> Bool {
        outage.message == nil && !due.values.contains { $0 <= now }
    }

    /// `folders` are due at once (their sets were found gone).
    mutating func passNow(_ folders: [String], at now: Instant) {
        for folder in folders { due[folder] = now }
    }

    /// When the loop must look again: the next due pass or full scan, or
    /// `other` (status files to write) when sooner.
    func nextWake(orAt other: Instant?) -> Instant {
        [due.values.min(), other].compactMap { $0 }.reduce(nextFullScan, min)
    }
}

/// A store failing for every file, and the growing pause before the next try.
struct Outage: Sendable, Equatable {
    /// A second, doubling up to a minute, without end: the live agent never
    /// gives up, and its passes are the retries.
    static let retry = RetryPolicy(initialDelay: .seconds(1), maximumDelay: .seconds(60), jitter: .none, giveUpAfter: nil)

    /// The failure, while it lasts.
    private(set) var message: String?
    /// Failed passes in a row.
    private var failures = 0

    /// The pause before the next try.
    var delay: Duration { failures == 0 ? .zero : Self.retry.pause(beforeRetry: failures) }

    mutating func record(_ message: String) {
        self.message = message
        failures += 1
    }
}
