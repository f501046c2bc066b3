import Foundation

/// What the state file knows of one image file.
package struct FileRecord: Sendable, Hashable {
    /// What became of the file.
    package enum Outcome: String, Sendable, Hashable {
        /// Its bytes became a new picture.
        case uploaded
        /// Its bytes were already a picture of the set (a copy, or a re-run).
        case alreadyStored = "already-stored"
        /// It could not be stored; ``FileRecord/error`` says why. Retried at every pass.
        case failed
        /// Its bytes are no image, or an unfinished one (``ImageContent``);
        /// ``FileRecord/error`` says why. Not read again until it changes.
        case refused

        /// Whether the file's bytes are safely in the datastore.
        package var isStored: Bool { self == .uploaded || self == .alreadyStored }
    }

    /// The file's full path.
    package var path: String
    /// The full path of its set folder.
    package var folder: String
    /// The file as it was when hashed.
    package var signature: FileSignature
    package var sha256: ContentHash?
    /// The picture holding its bytes.
    package var pictureID: UUID?
    package var outcome: Outcome
    /// Why it failed, with the fix.
    package var error: String?

    package init(
        path: String,
        folder: String,
        signature: FileSignature,
        sha256: ContentHash?,
        pictureID: UUID?,
        outcome: Outcome,
        error: String? = nil
    ) {
        self.path = path
        self.folder = folder
        self.signature = signature
        self.sha256 = sha256
        self.pictureID = pictureID
        self.outcome = outcome
        self.error = error
    }

    /// Whether the file was stored and has not changed since: then it is not read again.
    package func isStoredAndUnchanged(_ current: FileSignature) -> Bool {
        outcome.isStored && signature == current
    }

    /// Whether the file was refused for its bytes and has not changed
    /// since: then it is not read again either.
    package func isRefusedAndUnchanged(_ current: FileSignature) -> Bool {
        outcome == .refused && signature == current
    }
}
