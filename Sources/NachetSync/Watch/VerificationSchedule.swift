import Foundation

/// When the live agent checks the datastore against the folders
/// (``DatastoreCheck``): a round at start, then one every interval, each
/// over the set folders the full scan that starts it finds.
///
/// A folder stays due until a pass of it completes, so an outage in the
/// middle of a round delays the rest of the round (the outage's own pause
/// paces the retries) rather than skipping it. Nothing here can make the
/// watcher spin: a round starts at most once per interval, and the
/// interval is never shorter than ``shortestInterval``.
package struct VerificationSchedule: Sendable {
    /// The shortest time between rounds, whatever the setting says: a
    /// round lists every set, and must not follow the last one at once.
    static let shortestInterval = Duration.seconds(60)

    /// The time between rounds; `nil` when the datastore is never checked.
    let interval: Duration?
    /// When the next round starts; `nil` when never.
    private(set) var nextRound: ContinuousClock.Instant?
    /// Folders of the current round not checked yet.
    private var unchecked: Set<String> = []

    /// A schedule whose first round is due at `start`.
    /// - Parameter interval: The time between rounds; `nil` or zero for
    ///   never, raised to ``shortestInterval`` when shorter.
    init(interval: Duration?, start: ContinuousClock.Instant) {
        if let interval, interval > .zero {
            self.interval = max(interval, Self.shortestInterval)
            nextRound = start
        } else {
            self.interval = nil
            nextRound = nil
        }
    }

    /// At a full scan finding `folders` at `now`: starts a round when one is due.
    /// - Returns: Whether a round starts.
    mutating func fullScan(found folders: some Sequence<String>, at now: ContinuousClock.Instant) -> Bool {
        guard let interval, let nextRound, now >= nextRound else { return false }
        unchecked = Set(folders)
        self.nextRound = now + interval
        return true
    }

    /// Whether the folder's next pass checks its set.
    func isDue(_ folder: String) -> Bool {
        unchecked.contains(folder)
    }

    /// A pass of the folder checked its set.
    mutating func checked(_ folder: String) {
        unchecked.remove(folder)
    }

    /// Folders that left the drop folders are not waited for.
    mutating func keep(only folders: Set<String>) {
        unchecked.formIntersection(folders)
    }
}

extension VerificationSchedule {
    /// Once a day: one blob listing and one catalogue query per set.
    package static let defaultInterval: Duration? = .seconds(24 * 3_600)

    /// The interval a number of hours gives; `nil` for 0 (never).
    package static func interval(hours: Double) -> Duration? {
        hours > 0 ? .milliseconds(Int64((hours * 3_600_000).rounded())) : nil
    }
}
