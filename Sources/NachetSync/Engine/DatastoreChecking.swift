import Foundation

/// Which passes over a set folder check its set in the datastore
/// (``DatastoreCheck``).
package enum DatastoreChecking: Sendable, Hashable {
    /// None.
    case never
    /// Every pass (the live agent's rounds decide which passes those are).
    case always
    /// A pass whose set's last check ended longer ago than `interval`, or
    /// never did, as the state file records it: a `sync` run every few
    /// minutes from a timer checks each set once per interval, not at
    /// every run.
    case notCheckedWithin(Duration)

    /// Whether a pass over a folder whose set was last checked at
    /// `lastChecked` checks it at `now`. A time after `now` (the clock was
    /// set back) counts as long ago.
    package func isDue(lastChecked: Date?, now: Date) -> Bool {
        switch self {
        case .never: return false
        case .always: return true
        case .notCheckedWithin(let interval):
            guard let lastChecked, lastChecked <= now else { return true }
            return .seconds(now.timeIntervalSince(lastChecked)) >= interval
        }
    }
}
