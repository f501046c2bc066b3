import Foundation
import Synchronization

/// How far a sync has got: a ``SyncObserver`` that tallies what the engine
/// says, read at any time by whoever shows it (the `sync` command's
/// progress line and periodic summary). Totals come from a census
/// (``DropFolderCensus``) when someone took one.
package final class SyncProgress: SyncObserver {
    /// The tally at one moment.
    package struct Snapshot: Sendable, Equatable {
        /// Set folders in the drop folder, once the pass began.
        package var setFolders = 0
        package var setFoldersDone = 0
        /// Images in every set folder and their bytes, once counted.
        package var files: Int?
        package var bytes: Int64?
        /// Images finished with: stored, found stored, unchanged, or failed.
        package var filesDone = 0
        /// Their bytes.
        package var bytesDone: Int64 = 0
        /// Bytes read to hash and upload them.
        package var bytesRead: Int64 = 0
        /// New pictures stored.
        package var uploaded = 0
        /// Images that failed.
        package var failed = 0

        package init() {}
    }

    private let tally = Mutex(Snapshot())

    package init() {}

    /// The tally now.
    package var snapshot: Snapshot { tally.withLock { $0 } }

    /// Records the census: every image of the drop folder and its bytes.
    package func counted(files: Int, bytes: Int64) {
        tally.withLock {
            $0.files = files
            $0.bytes = bytes
        }
    }

    package func passBegan(setFolders: Int) {
        tally.withLock { $0.setFolders = setFolders }
    }

    package func filesFinished(_ count: Int, bytes: Int64, read: Int64, uploaded: Int, failed: Int) {
        tally.withLock {
            $0.filesDone += count
            $0.bytesDone += bytes
            $0.bytesRead += read
            $0.uploaded += uploaded
            $0.failed += failed
        }
    }

    package func folderFinished(_ report: FolderReport) {
        tally.withLock { $0.setFoldersDone += 1 }
    }
}
