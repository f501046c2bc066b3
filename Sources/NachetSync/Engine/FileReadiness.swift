import Foundation
import Synchronization

/// Decides when a file has stopped changing and may be taken.
///
/// A file is ready once `stat` has shown the same size, time and inode for at
/// least the stability window, measured on this machine's monotonic clock (so
/// a share's skewed clock does not matter). With a zero window every file is
/// ready at once, which is what a one-shot `sync` wants.
package final class StabilityTracker: Sendable {
    /// How long a file must stay unchanged.
    package let window: Duration
    private let clock = ContinuousClock()
    private let observations = Mutex<[String: (signature: FileSignature, since: ContinuousClock.Instant)]>([:])

    package init(window: Duration) {
        self.window = window
    }

    /// Whether the file at `path`, now showing `signature`, is ready.
    package func isReady(path: String, signature: FileSignature) -> Bool {
        guard window > .zero else { return true }
        let now = clock.now
        return observations.withLock { observations in
            if let seen = observations[path], seen.signature == signature {
                return now - seen.since >= window
            }
            observations[path] = (signature, now)
            return false
        }
    }

    /// How long until the file at `path` may be ready, or `nil` when unknown.
    package func remaining(path: String) -> Duration? {
        observations.withLock { observations in
            observations[path].map { window - (clock.now - $0.since) }
        }
    }

    /// Takes the file at `path`, showing `signature`, as stable already:
    /// a file recorded as stored and unchanged since, whose picture the
    /// datastore lost, is stored again by the pass that finds the loss
    /// rather than after another stability window.
    package func markStable(path: String, signature: FileSignature) {
        let since = clock.now - window
        observations.withLock { $0[path] = (signature, since) }
    }

    /// Forgets `path` once it is stored or gone, so memory stays bounded.
    package func forget(path: String) {
        _ = observations.withLock { $0.removeValue(forKey: path) }
    }
}
