import Foundation

/// Where one set folder stands, from the state file and a listing of the
/// folder (`stat` only, no file is read): what `nachet-sync status` shows.
public struct FolderStatus: Sendable, Codable, Equatable {
    /// The folder's full path.
    public var path: String
    /// `pending`, `active`, `invalid` or `failed` (``FolderRecord/Status``).
    public var status: String
    public var setID: String?
    public var folderName: String?
    /// Images stored and unchanged since.
    public var done: Int
    /// Images not stored yet (new, changed, or waiting for metadata).
    public var pending: Int
    /// Images whose last attempt failed.
    public var failed: Int
    /// The last problem, with its fix.
    public var lastError: String?
    /// Each failed file with its reason.
    public var failures: [String: String]

    enum CodingKeys: String, CodingKey {
        case path, status, done, pending, failed, failures
        case setID = "set_id"
        case folderName = "folder_name"
        case lastError = "last_error"
    }

    /// The status of every folder the state file knows.
    public static func all(state: SyncState, extensions: ImageExtensions) throws -> [FolderStatus] {
        try state.folders().map { try FolderStatus(record: $0, state: state, extensions: extensions) }
    }

    init(record: FolderRecord, state: SyncState, extensions: ImageExtensions) throws {
        path = record.path
        status = record.status.rawValue
        setID = record.setID?.lowercased
        folderName = record.folderName
        lastError = record.lastError
        done = 0
        pending = 0
        failed = 0
        failures = [:]
        let files = try state.files(inFolder: record.path)
        guard let listing = try? SetFolderListing.list(record.path, extensions: extensions) else {
            lastError = "the folder is gone or cannot be listed" + (lastError.map { "; before that: \($0)" } ?? "")
            return
        }
        for entry in listing.images {
            guard let file = files[entry.path] else {
                pending += 1
                continue
            }
            if file.isStoredAndUnchanged(entry.signature) {
                done += 1
            } else if file.outcome == .failed {
                failed += 1
                failures[entry.name] = file.error ?? "unknown error"
            } else {
                pending += 1
            }
        }
    }
}
