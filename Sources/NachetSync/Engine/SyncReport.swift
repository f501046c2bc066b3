import Foundation

/// What one pass did in one set folder.
package struct FolderReport: Sendable {
    /// One file that could not be stored.
    package struct FileFailure: Sendable, Hashable {
        /// The file's full path.
        package var path: String
        /// Why, with the fix.
        package var reason: String
    }

    /// The folder's full path.
    package var path: String
    package var status: FolderRecord.Status
    /// The picture set's name and blob folder, once known.
    package var folderName: String?
    package var setID: UUID?
    /// Files whose bytes became new pictures.
    package var uploaded = 0
    /// Files hashed whose bytes the set already held (copies, or a re-run after a lost state file).
    package var alreadyStored = 0
    /// Files skipped without being read: stored before and unchanged since.
    package var unchanged = 0
    /// Files still changing, or waiting for the folder's metadata.
    package var waiting = 0
    /// Their bytes.
    package var bytesWaiting: Int64 = 0
    /// Files that failed; retried at the next pass.
    package var failures: [FileFailure] = []
    /// What a pending folder waits for: `metadata.json`, or the ready marker.
    package var waitingFor: String?
    /// Problems of the folder as a whole (its metadata, its set), each with its fix.
    package var problems: [String] = []
    /// Entries of the folder not taken, each with why.
    package var skipped: [SkippedEntry] = []
    /// Remarks on the folder that stop nothing (an `images` entry naming no
    /// file), each with what to check.
    package var notes: [String] = []
    /// What the datastore check of this pass put right (a blob written
    /// again from its file, a folder marker), each said once.
    package var repaired: [String] = []
    /// What the last datastore check of the set found that only a person
    /// can put right (a row whose blob and file are both gone, a blob with
    /// no row), each naming the picture or blob and the fix.
    package var datastoreProblems: [String] = []
    /// Files opened and read (hashing or uploading).
    package var filesRead = 0
    /// Bytes read from the drop folder.
    package var bytesRead: Int64 = 0

    package init(path: String, status: FolderRecord.Status) {
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
    package var lastProblem: String? {
        failures.last.map { "\($0.path): \($0.reason)" } ?? problems.last ?? datastoreProblems.last
    }

    /// Whether anything in the folder needs a person.
    package var hasErrors: Bool { errorCount > 0 }

    /// Failed files, folder problems and entries left out that someone meant
    /// to upload, counted together.
    package var errorCount: Int { failures.count + problems.count + datastoreProblems.count + skipped.filter(\.isProblem).count }
}

/// What one pass over a drop directory did.
package struct SyncReport: Sendable {
    /// One report per set folder, by path.
    package var folders: [FolderReport]
    /// Entries of the drop folder itself not taken (files outside any set
    /// folder, links, names that are not UTF-8), each with why.
    package var skipped: [SkippedEntry]

    package init(folders: [FolderReport], skipped: [SkippedEntry] = []) {
        self.folders = folders
        self.skipped = skipped
    }

    /// Folders whose picture set exists.
    package var sets: Int { folders.filter { $0.setID != nil }.count }
    package var uploaded: Int { folders.reduce(0) { $0 + $1.uploaded } }
    package var alreadyStored: Int { folders.reduce(0) { $0 + $1.alreadyStored } }
    package var unchanged: Int { folders.reduce(0) { $0 + $1.unchanged } }
    package var waiting: Int { folders.reduce(0) { $0 + $1.waiting } }
    package var filesRead: Int { folders.reduce(0) { $0 + $1.filesRead } }
    package var bytesRead: Int64 { folders.reduce(0) { $0 + $1.bytesRead } }
    /// Files that failed, folder problems and entries left out that someone
    /// meant to upload, counted together.
    package var errors: Int { folders.reduce(skipped.filter(\.isProblem).count) { $0 + $1.errorCount } }
    /// Folders the datastore check repaired something in.
    package var repairedFolders: Int { folders.filter { !$0.repaired.isEmpty }.count }
    /// Folders waiting for a `metadata.json`.
    package var pendingFolders: [FolderReport] { folders.filter { $0.status == .pending } }
}
