import Foundation
import Synchronization

/// Changes seen by inotify and not yet acted on, coalesced by folder so a
/// burst of ten thousand files costs one entry per folder, not per event.
final class FolderChanges: Sendable {
    struct Pending: Sendable {
        /// Set folders with new activity.
        var folders: Set<String> = []
        /// Subfolders that appeared in a drop folder and need a watch.
        var newFolders: Set<String> = []
        /// Subfolders that left a drop folder.
        var removedFolders: Set<String> = []
        /// Events were lost (queue overflow) or a drop folder vanished: scan everything.
        var fullScan = false
        /// The kernel's event queue overflowed.
        var overflowed = false
    }

    private let pending = Mutex(Pending())

    func update(_ body: (inout Pending) -> Void) {
        pending.withLock { body(&$0) }
    }

    /// Takes everything pending, leaving nothing.
    func take() -> Pending {
        pending.withLock { pending in
            defer { pending = Pending() }
            return pending
        }
    }
}
