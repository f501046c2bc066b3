import Foundation

/// What the state file knows of one set folder.
public struct FolderRecord: Sendable, Hashable {
    /// Where the folder stands.
    public enum Status: String, Sendable, Hashable {
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
    public var path: String
    public var status: Status
    /// Its picture set, once created.
    public var setID: UUID?
    public var userID: UUID?
    /// The picture set's name and blob folder.
    public var folderName: String?
    /// The `metadata.json` text the set was created with.
    public var metadata: String?
    /// Whether the folder marker blob is known to be stored.
    public var markerStored: Bool
    /// The last problem, with its fix.
    public var lastError: String?

    public init(
        path: String,
        status: Status,
        setID: UUID? = nil,
        userID: UUID? = nil,
        folderName: String? = nil,
        metadata: String? = nil,
        markerStored: Bool = false,
        lastError: String? = nil
    ) {
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
