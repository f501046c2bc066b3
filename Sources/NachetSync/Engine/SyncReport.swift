import Foundation

/// What one pass did in one set folder.
public struct FolderReport: Sendable {
    /// One file that could not be stored.
    public struct FileFailure: Sendable, Hashable {
        /// The file's full path.
        public var path: String
        /// Why, with the fix.
        public var reason: String
    }

    /// The folder's full path.
    public var path: String
    public var status: FolderRecord.Status
    /// The picture set's name and blob folder, once known.
    public var folderName: String?
    public var setID: UUID?
    /// Files whose bytes became new pictures.
    public var uploaded = 0
    /// Files hashed whose bytes the set already held (copies, or a re-run after a lost state file).
    public var alreadyStored = 0
    /// Files skipped without being read: stored before and unchanged since.
    public var unchanged = 0
    /// Files still changing, or waiting for the folder's metadata.
    public var waiting = 0
    /// Their bytes.
    public var bytesWaiting: Int64 = 0
    /// Files that failed; retried at the next pass.
    public var failures: [FileFailure] = []
    /// What a pending folder waits for: `metadata.json`, or the ready marker.
    public var waitingFor: String?
    /// Problems of the folder as a whole (its metadata, its set), each with its fix.
    public var problems: [String] = []
    /// Entries of the folder not taken, each with why.
    public var skipped: [SkippedEntry] = []
    /// Remarks on the folder that stop nothing (an `images` entry naming no
    /// file), each with what to check.
    public var notes: [String] = []
    /// What the datastore check of this pass put right (a blob written
    /// again from its file, a folder marker), each said once.
    public var repaired: [String] = []
    /// What the last datastore check of the set found that only a person
    /// can put right (a row whose blob and file are both gone, a blob with
    /// no row), each naming the picture or blob and the fix.
    public var datastoreProblems: [String] = []
    /// Files opened and read (hashing or uploading).
    public var filesRead = 0
    /// Bytes read from the drop folder.
    public var bytesRead: Int64 = 0

    public init(path: String, status: FolderRecord.Status) {
        self.path = path
        self.status = status
    }

    /// Every image of `images` waits (the folder waits, or cannot be taken).
    mutating func waitFor(_ images: [SetFolderListing.Entry]) {
        waiting = images.count
        bytesWaiting = images.reduce(0) { $0 + $1.signature.size }
    }

    /// The pass's last problem, with its fix: a failed file (its path and
    /// reason), else a problem of the folder as a whole.
    public var lastProblem: String? {
        failures.last.map { "\($0.path): \($0.reason)" } ?? problems.last ?? datastoreProblems.last
    }

    /// Whether anything in the folder needs a person.
    public var hasErrors: Bool { errorCount > 0 }

    /// Failed files, folder problems and entries left out that someone meant
    /// to upload, counted together.
    public var errorCount: Int { failures.count + problems.count + datastoreProblems.count + skipped.filter(\.isProblem).count }
}

/// What one pass over a drop directory did.
public struct SyncReport: Sendable {
    /// One report per set folder, by path.
    public var folders: [FolderReport]
    /// Entries of the drop folder itself not taken (files outside any set
    /// folder, links, names that are not UTF-8), each with why.
    public var skipped: [SkippedEntry]

    public init(folders: [FolderReport], skipped: [SkippedEntry] = []) {
        self.folders = folders
        self.skipped = skipped
    }

    /// Folders whose picture set exists.
    public var sets: Int { folders.filter { $0.setID != nil }.count }
    public var uploaded: Int { folders.reduce(0) { $0 + $1.uploaded } }
    public var alreadyStored: Int { folders.reduce(0) { $0 + $1.alreadyStored } }
    public var unchanged: Int { folders.reduce(0) { $0 + $1.unchanged } }
    public var waiting: Int { folders.reduce(0) { $0 + $1.waiting } }
    public var filesRead: Int { folders.reduce(0) { $0 + $1.filesRead } }
    public var bytesRead: Int64 { folders.reduce(0) { $0 + $1.bytesRead } }
    /// Files that failed, folder problems and entries left out that someone
    /// meant to upload, counted together.
    public var errors: Int { folders.reduce(skipped.filter(\.isProblem).count) { $0 + $1.errorCount } }
    /// Folders the datastore check repaired something in.
    public var repairedFolders: Int { folders.filter { !$0.repaired.isEmpty }.count }
    /// Folders waiting for a `metadata.json`.
    public var pendingFolders: [FolderReport] { folders.filter { $0.status == .pending } }
}
