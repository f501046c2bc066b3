import Foundation
import Synchronization

/// Reads inotify's events on a thread of its own and folds them into the
/// pending changes, waking the watch loop; the loop never blocks on the
/// kernel.
final class InotifyReader: Sendable {
    private let inotify: Inotify
    private let changes: FolderChanges
    private let wakeup: Wakeup
    private let dropDirectories: Set<String>
    private let stopped = Atomic(false)

    init(inotify: Inotify, changes: FolderChanges, wakeup: Wakeup, dropDirectories: Set<String>) {
        self.inotify = inotify
        self.changes = changes
        self.wakeup = wakeup
        self.dropDirectories = dropDirectories
    }

    /// Starts the thread; it reads until ``stop()``.
    func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                let events = inotify.read(timeoutMilliseconds: 500)
                guard !events.isEmpty else { continue }
                changes.update { DropFolderWatcher.record(events, in: &$0, dropDirectories: dropDirectories) }
                wakeup.signal()
            }
        }
        thread.name = "inotify"
        thread.start()
    }

    /// Ends the thread: its read is interrupted at once, so the inotify
    /// descriptor goes with the watcher (a reload opens a new one).
    func stop() {
        stopped.store(true, ordering: .releasing)
        inotify.interrupt()
    }
}
