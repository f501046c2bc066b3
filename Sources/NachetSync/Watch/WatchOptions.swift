import Foundation

/// How the live agent paces itself.
package struct WatchOptions: Sendable {
    /// How long a file must stay unchanged before it is taken.
    package var stabilityWindow: Duration
    /// How often every folder is scanned in full, for changes inotify cannot
    /// see (files written by another machine onto a network share).
    package var rescanInterval: Duration
    /// How often every set is checked in the datastore, at start and then
    /// every interval; `nil` when never (``VerificationSchedule``).
    package var verifyInterval: Duration?
    /// Names of set folders left without an inotify watch, as if another
    /// machine wrote into them over a share (tests of the reconcile scan).
    package var unwatchedFolderNames: Set<String> = []
    /// A lower inotify watch limit than the kernel's (tests of reaching it).
    package var watchLimit: Int?
    /// A smaller inotify event queue than the kernel's (tests of an overflow,
    /// without changing the host's `fs.inotify.max_queued_events`).
    package var eventQueueLimit: Int?

    package init(stabilityWindow: Duration = .seconds(2), rescanInterval: Duration = .seconds(60), verifyInterval: Duration? = nil) {
        self.stabilityWindow = stabilityWindow
        self.rescanInterval = rescanInterval
        self.verifyInterval = verifyInterval
    }

    /// The rescan interval while some folders have no watch (the watch limit
    /// is reached) or a drop folder is missing: they are polled more often.
    var pollInterval: Duration { min(rescanInterval, .seconds(5)) }
}
