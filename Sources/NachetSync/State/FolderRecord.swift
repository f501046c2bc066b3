import Foundation

/// What the state file knows of one set folder.
package struct FolderRecord: Sendable, Hashable {
    /// Where the folder stands.
    package enum Status: String, Sendable, Hashable {
        /// No `metadata.json` yet: waiting, not an error.
        case pending
        /// Its picture set exists; images are uploaded as they come.
        case active
        /// Its `metadata.json` has mistakes; ``FolderRecord/lastError`` lists them.
        case invalid
        /// The catalogue or blob store failed for it; retried at every pass.
        case failed
    }

    /// The folder's full path.
    package var path: String
    package var status: Status
    /// Its picture set, once created.
    package var setID: UUID?
    package var userID: UUID?
    /// The picture set's name and blob folder.
    package var folderName: String?
    /// The `metadata.json` text the set was created with.
    package var metadata: String?
    /// Whether the folder marker blob is known to be stored.
    package var markerStored: Bool
    /// The last problem, with its fix.
    package var lastError: String?
    /// Which folder this is on its file system, whatever its name: a
    /// renamed folder is found again by it, and keeps its set.
    package var identity: FolderIdentity?
    /// The digest of the folder's listing (``SetFolderListing/digest``) at
    /// the end of its last pass, when that pass left nothing to do: a pass
    /// finding the same digest has nothing to do either, and asks the
    /// destination nothing.
    package var listingDigest: String?
    /// What the last datastore check of the set found that only a person
    /// can put right; kept until the next check.
    package var datastoreProblems: [String] = []
    /// When the last datastore check of the set ended, by this PC's
    /// clock: `sync` checks a set again only once the check interval has
    /// passed since (``DatastoreChecking/notCheckedWithin(_:)``).
    package var datastoreCheckedAt: Date?

    package init(
        path: String,
        status: Status,
        setID: UUID? = nil,
        userID: UUID? = nil,
        folderName: String? = nil,
        metadata: String? = nil,
        markerStored: Bool = false,
        lastError: String? = nil,
        identity: FolderIdentity? = nil,
        listingDigest: String? = nil
    ) {
        self.identity = identity
        self.listingDigest = listingDigest
        self.path = path
        self.status = status
        self.setID = setID
        self.userID = userID
        self.folderName = folderName
        self.metadata = metadata
        self.markerStored = markerStored
        self.lastError = lastError
    }
}

/// A folder's device and inode: which folder it is, whatever its name.
package struct FolderIdentity: Sendable, Hashable {
    package var device: UInt64
    package var inode: UInt64

    package init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }
}
