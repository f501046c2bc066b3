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
    /// What a pending folder waits for: `metadata.json`, or the ready marker.
    public var waitingFor: String?
    /// Entries of the folder not taken, each with why.
    public var skipped: [SkippedEntry] = []
    /// Remarks that stop nothing (an `images` entry naming no file).
    public var notes: [String] = []
    /// What the last datastore check found that only a person can put
    /// right, each naming the picture or blob and the fix.
    public var datastoreProblems: [String] = []

    enum CodingKeys: String, CodingKey {
        case path, status, done, pending, failed, failures, skipped, notes
        case datastoreProblems = "datastore_problems"
        case setID = "set_id"
        case folderName = "folder_name"
        case lastError = "last_error"
        case waitingFor = "waiting_for"
    }

    /// Where the folder stands after the pass `report` describes.
    public init(report: FolderReport) {
        path = report.path
        status = report.status.rawValue
        setID = report.setID?.lowercased
        folderName = report.folderName
        done = report.uploaded + report.alreadyStored + report.unchanged
        pending = report.waiting
        failed = report.failures.count
        failures = Dictionary(
            report.failures.map { (($0.path as NSString).lastPathComponent, $0.reason) }, uniquingKeysWith: { first, _ in first })
        lastError = report.lastProblem
        waitingFor = report.waitingFor
        skipped = report.skipped
        notes = report.notes
        datastoreProblems = report.datastoreProblems
    }

    /// The status of every folder the state file knows.
    public static func all(
        state: SyncState,
        extensions: ImageExtensions,
        followingSymlinks: Bool = false,
        readyMarker: String? = nil
    ) throws -> [FolderStatus] {
        try state.folders().map {
            try FolderStatus(record: $0, state: state, extensions: extensions, followingSymlinks: followingSymlinks, readyMarker: readyMarker)
        }
    }

    init(record: FolderRecord, state: SyncState, extensions: ImageExtensions, followingSymlinks: Bool, readyMarker: String?) throws {
        path = record.path
        status = record.status.rawValue
        setID = record.setID?.lowercased
        folderName = record.folderName
        lastError = record.lastError
        datastoreProblems = record.datastoreProblems
        done = 0
        pending = 0
        failed = 0
        failures = [:]
        let files = try state.files(inFolder: record.path)
        guard
            let listing = try? SetFolderListing.list(
                record.path, extensions: extensions, followingSymlinks: followingSymlinks, readyMarker: readyMarker,
                ownNames: StatusFileWriter.ownNames)
        else {
            lastError = "the folder is gone or cannot be listed" + (lastError.map { "; before that: \($0)" } ?? "")
            return
        }
        skipped = listing.skipped
        if record.status == .pending {
            waitingFor = listing.hasMetadata ? "the ready marker" : SetFolderListing.metadataFileName
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

extension FolderStatus {
    /// One line saying where the folder stands, in a technician's words.
    public var headline: String {
        switch FolderRecord.Status(rawValue: status) {
        case .pending: "waiting for \(waitingFor ?? SetFolderListing.metadataFileName); nothing is uploaded until it is there"
        case .invalid: "metadata.json has problems; nothing is uploaded until they are fixed"
        case .failed: "the picture set cannot be prepared; retrying at every pass"
        case .active where failed > 0: "some images failed; each is retried when it changes"
        case .active where skipped.contains(where: \.isProblem): "some entries cannot be taken (below); the rest is uploaded"
        case .active where !datastoreProblems.isEmpty: "the datastore lost pictures the folder cannot restore, or holds blobs of no picture (below)"
        case .active where pending > 0: "uploading"
        case .active: "done"
        case nil: status
        }
    }

    /// How many entries left out (not problems) the lines list.
    static let leftOutListed = 100

    /// The lines `nachet-sync status` prints for the folder, and the status
    /// file holds: headline, set, counts, each failed file, the last error.
    public var detailLines: [String] {
        var lines = [
            "status: \(headline)",
            "picture set: \(folderName ?? "-") (\(setID ?? "not created yet"))",
            "images: \(done) done, \(pending) pending, \(failed) failed",
        ]
        for (file, reason) in failures.sorted(by: { $0.key < $1.key }) {
            lines.append("failed: \(file): \(reason)")
        }
        lines += skipped.filter(\.isProblem).map { "not taken: \($0.line)" }
        let leftOut = skipped.filter { !$0.isProblem }
        lines += leftOut.prefix(Self.leftOutListed).map { "skipped: \($0.line)" }
        if leftOut.count > Self.leftOutListed {
            lines.append("skipped: … and \(leftOut.count - Self.leftOutListed) more (`nachet-sync status --json` lists every one)")
        }
        lines += notes.map { "note: \($0)" }
        lines += datastoreProblems.map { "datastore: \($0)" }
        if let lastError { lines.append("last error: \(lastError)") }
        return lines
    }
}
