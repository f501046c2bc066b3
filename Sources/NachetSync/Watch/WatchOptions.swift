import Foundation

/// How the live agent paces itself.
public struct WatchOptions: Sendable {
    /// How long a file must stay unchanged before it is taken.
    public var stabilityWindow: Duration
    /// How often every folder is scanned in full, for changes inotify cannot
    /// see (files written by another machine onto a network share).
    public var rescanInterval: Duration

    public init(stabilityWindow: Duration = .seconds(2), rescanInterval: Duration = .seconds(60)) {
        self.stabilityWindow = stabilityWindow
        self.rescanInterval = rescanInterval
    }
}
