import Foundation

/// Where one set folder stands, from the state file and a listing of the
/// folder (`stat` only, no file is read): what `nachet-sync status` shows.
package struct FolderStatus: Sendable, Codable, Equatable {
    /// The folder's full path.
    package var path: String
    /// Where the folder stands, in one word: the same word in `status`'s
    /// text, its JSON and the status file (``Condition``).
    package var status: Condition {
        switch FolderRecord.Status(rawValue: phase) {
        case .pending: .waiting
        case .invalid: .invalid
        case .failed: .failed
        case .active where failed > 0 || skipped.contains(where: \.isProblem) || !datastoreProblems.isEmpty: .errors
        case .active where pending > 0: .uploading
        case .active: .done
        case nil: phase == Self.gonePhase ? .gone : .failed
        }
    }

    /// The ``phase`` of a folder the state file knows and the disk no longer has.
    static let gonePhase = "gone"
    /// The state file's status of the folder (``FolderRecord/Status``).
    var phase: String
    package var setID: String?
    package var folderName: String?
    /// Images stored and unchanged since.
    package var done: Int
    /// Images not stored yet (new, changed, or waiting for metadata).
    package var pending: Int
    /// Images whose last attempt failed.
    package var failed: Int
    /// The last problem, with its fix.
    package var lastError: String?
    /// Each failed file with its reason.
    package var failures: [String: String]
    /// What a pending folder waits for: `metadata.json`, or the ready marker.
    package var waitingFor: String?
    /// Entries of the folder not taken, each with why.
    package var skipped: [SkippedEntry] = []
    /// Remarks that stop nothing (an `images` entry naming no file).
    package var notes: [String] = []
    /// What the last datastore check found that only a person can put
    /// right, each naming the picture or blob and the fix.
    package var datastoreProblems: [String] = []

    enum CodingKeys: String, CodingKey {
        case path, status, done, pending, failed, failures, skipped, notes
        case datastoreProblems = "datastore_problems"
        case setID = "set_id"
        case folderName = "folder_name"
        case lastError = "last_error"
        case waitingFor = "waiting_for"
    }

    /// Where a folder stands, in one word.
    package enum Condition: String, Sendable, Codable, CaseIterable {
        /// Waiting for its `metadata.json` (or the ready marker).
        case waiting
        /// Its `metadata.json` has mistakes.
        case invalid
        /// Its picture set cannot be prepared.
        case failed
        /// Some images failed, some entries cannot be taken, or the datastore
        /// lost what the folder cannot restore.
        case errors
        /// Images still to store.
        case uploading
        /// Every image is stored.
        case done
        /// The folder is no longer in the drop folder (what the state file
        /// knew of it is shown as it was).
        case gone

        /// Whether a person has something to fix (`status` exits 2).
        package var needsAttention: Bool { self == .invalid || self == .failed || self == .errors }
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path)
        let condition = try container.decode(Condition.self, forKey: .status)
        phase = switch condition {
        case .waiting: FolderRecord.Status.pending.rawValue
        case .invalid: FolderRecord.Status.invalid.rawValue
        case .failed: FolderRecord.Status.failed.rawValue
        case .gone: Self.gonePhase
        default: FolderRecord.Status.active.rawValue
        }
        setID = try container.decodeIfPresent(String.self, forKey: .setID)
        folderName = try container.decodeIfPresent(String.self, forKey: .folderName)
        done = try container.decode(Int.self, forKey: .done)
        pending = try container.decode(Int.self, forKey: .pending)
        failed = try container.decode(Int.self, forKey: .failed)
        lastError = try container.decodeIfPresent(String.self, forKey: .lastError)
        failures = try container.decodeIfPresent([String: String].self, forKey: .failures) ?? [:]
        waitingFor = try container.decodeIfPresent(String.self, forKey: .waitingFor)
        skipped = try container.decodeIfPresent([SkippedEntry].self, forKey: .skipped) ?? []
        notes = try container.decodeIfPresent([String].self, forKey: .notes) ?? []
        datastoreProblems = try container.decodeIfPresent([String].self, forKey: .datastoreProblems) ?? []
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(setID, forKey: .setID)
        try container.encodeIfPresent(folderName, forKey: .folderName)
        try container.encode(done, forKey: .done)
        try container.encode(pending, forKey: .pending)
        try container.encode(failed, forKey: .failed)
        try container.encodeIfPresent(lastError, forKey: .lastError)
        try container.encode(failures, forKey: .failures)
        try container.encodeIfPresent(waitingFor, forKey: .waitingFor)
        try container.encode(skipped, forKey: .skipped)
        try container.encode(notes, forKey: .notes)
        try container.encode(datastoreProblems, forKey: .datastoreProblems)
    }

    /// Where the folder stands after the pass `report` describes.
    package init(report: FolderReport) {
        path = report.path
        phase = report.status.rawValue
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
    package static func all(
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
        phase = record.status.rawValue
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
            let isGone = !FileManager.default.fileExists(atPath: record.path)
            if isGone { phase = Self.gonePhase }
            lastError = (isGone ? "the folder is gone" : "the folder cannot be listed") + (lastError.map { "; before that: \($0)" } ?? "")
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
            } else if !file.outcome.isStored {
                failed += 1
                failures[entry.name] = file.error ?? "unknown error"
            } else {
                pending += 1
            }
        }
    }
}

extension FolderStatus {
    /// One line saying where the folder stands: the ``status`` word, then
    /// what it means in a technician's words.
    package var headline: String {
        let meaning: String? =
            switch status {
            case .waiting: "nothing is uploaded until \(waitingFor ?? SetFolderListing.metadataFileName) is in the folder"
            case .invalid: "metadata.json has problems; nothing is uploaded until they are fixed"
            case .failed: "the picture set cannot be prepared; retrying at every pass"
            case .errors where failed > 0: "some images failed; each is retried when it changes"
            case .errors where skipped.contains(where: \.isProblem): "some entries cannot be taken (below); the rest is uploaded"
            case .errors: "the datastore lost pictures the folder cannot restore, or holds blobs of no picture (below)"
            case .gone: "it is no longer in the drop folder; what was stored from it stays in Nachet"
            case .uploading, .done: nil
            }
        return status.rawValue + (meaning.map { " — " + $0 } ?? "")
    }

    /// How many entries left out (not problems) the lines list.
    static let leftOutListed = 100

    /// The lines `nachet-sync status` prints for the folder, and the status
    /// file holds: headline, set, counts, each failed file, the last error;
    /// names from the folder cannot break a line or command a terminal.
    package var detailLines: [String] {
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
        return lines.map(\.escapingControlCharacters)
    }
}
