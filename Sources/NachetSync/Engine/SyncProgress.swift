import Foundation
import Synchronization

/// How far a sync has got: a ``SyncObserver`` that tallies what the engine
/// says, read at any time by whoever shows it (the `sync` command's
/// progress line and periodic summary). Totals come from a census
/// (``DropFolderCensus``) when someone took one.
public final class SyncProgress: SyncObserver {
    /// The tally at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// Set folders in the drop folder, once the pass began.
        public var setFolders = 0
        public var setFoldersDone = 0
        /// Images in every set folder and their bytes, once counted.
        public var files: Int?
        public var bytes: Int64?
        /// Images finished with: stored, found stored, unchanged, or failed.
        public var filesDone = 0
        /// Their bytes.
        public var bytesDone: Int64 = 0
        /// Bytes read to hash and upload them.
        public var bytesRead: Int64 = 0
        /// New pictures stored.
        public var uploaded = 0
        /// Images that failed.
        public var failed = 0

        public init() {}
    }

    private let tally = Mutex(Snapshot())

    public init() {}

    /// The tally now.
    public var snapshot: Snapshot { tally.withLock { $0 } }

    /// Records the census: every image of the drop folder and its bytes.
    public func counted(files: Int, bytes: Int64) {
        tally.withLock {
            $0.files = files
            $0.bytes = bytes
        }
    }

    public func passBegan(setFolders: Int) {
        tally.withLock { $0.setFolders = setFolders }
    }

    public func filesFinished(_ count: Int, bytes: Int64, read: Int64, uploaded: Int, failed: Int) {
        tally.withLock {
            $0.filesDone += count
            $0.bytesDone += bytes
            $0.bytesRead += read
            $0.uploaded += uploaded
            $0.failed += failed
        }
    }

    public func folderFinished(_ report: FolderReport) {
        tally.withLock { $0.setFoldersDone += 1 }
    }
}
