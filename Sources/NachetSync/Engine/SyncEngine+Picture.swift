import Foundation
import Logging

extension SyncEngine {
    /// Stores every image of the folder that is new or changed since it was
    /// stored, up to ``SyncEngine/parallelUploads`` at a time.
    ///
    /// Files run in parallel safely: the catalogue's insert-if-absent is one
    /// transaction, so two files with the same bytes make one picture, and the
    /// blob commit is if-absent. Each file's state record is written here,
    /// after its blob, one at a time.
    func storeImages(
        _ listing: SetFolderListing,
        of resolved: ResolvedSet,
        in set: PictureSetRecord,
        readiness: StabilityTracker,
        report: inout FolderReport,
        logger: Logger
    ) async throws {
        let known = try await state.perform { [path = listing.path] in try $0.files(inFolder: path) }
        var ready: [SetFolderListing.Entry] = []
        for entry in listing.images {
            if let record = known[entry.path], record.isStoredAndUnchanged(entry.signature) {
                report.unchanged += 1
                readiness.forget(path: entry.path)
            } else if !readiness.isReady(path: entry.path, signature: entry.signature) {
                report.waiting += 1
            } else {
                ready.append(entry)
            }
        }
        try await withThrowingTaskGroup(of: PictureOutcome.self) { group in
            var pending = ready.makeIterator()
            var running = 0
            func startNext() throws {
                try Task.checkCancellation()
                guard let entry = pending.next() else { return }
                var fileLogger = logger
                fileLogger[metadataKey: "file"] = "\(entry.name)"
                let previousError = known[entry.path]?.error
                group.addTask {
                    try await storePicture(entry, of: resolved, in: set, listing: listing, previousError: previousError, logger: fileLogger)
                }
                running += 1
            }
            while running < max(1, parallelUploads), running < ready.count {
                let before = running
                try startNext()
                if running == before { break }
            }
            while let outcome = try await group.next() {
                running -= 1
                outcome.add(to: &report)
                do {
                    try await state.perform { [record = outcome.record] in try $0.save(record) }
                } catch {
                    throw SyncRunError("\(error)", isTransient: true)
                }
                try hooks.afterWrite(.fileState)
                hooks.afterFileRecorded(outcome.record.path)
                readiness.forget(path: outcome.record.path)
                try startNext()
            }
        }
        let present = Set(listing.images.map(\.path))
        let gone = known.keys.filter { !present.contains($0) }
        if !gone.isEmpty {
            try? await state.perform { state in
                for path in gone { try state.removeFile(path) }
            }
        }
    }

    /// Stores one image file and returns the state record to write for it.
    ///
    /// The file is opened once (``SourceFile``: not through a link, never
    /// blocking, and only if it is the file the listing saw), and every
    /// read below goes through that descriptor. Then the writes happen in
    /// this order, which is what makes a crash anywhere harmless:
    ///
    /// 1. **stage**: the bytes are hashed and put where the blob store keeps
    ///    bytes not yet committed (the local store's staging folder, written
    ///    while hashing so a file is read once; Azure's uncommitted blocks, or
    ///    memory for small files), each checked to be the bytes hashed.
    ///    Nothing visible is written: a crash here loses only the work, and a
    ///    file that changes meanwhile fails here, before any row names it.
    ///    Before staging, a store that sends bytes over the network has the
    ///    file hashed, and a copy of a picture the set holds is found by
    ///    its hash and never sent.
    /// 2. **row**: insert the `picture` row, unless the set already has one
    ///    with this SHA-256, in one catalogue transaction. The hash is the key:
    ///    a crash after this point and a re-run find the row again instead of
    ///    inserting a second one, whatever the file is called now.
    /// 3. **commit**: the staged bytes become the blob `<folder>/<picture id>`,
    ///    if absent, in one step that reads no file, so it cannot fail because
    ///    the file changed. A crash between 2 and 3 leaves a row without its
    ///    blob only until the next pass: step 2 then returns the existing row,
    ///    its blob is looked at, found missing, and committed from the file.
    ///    A blob is only ever committed after its row, so it is never orphaned.
    /// 4. **state**: record the file as stored (by the caller). A crash before
    ///    this only means the file is read again at the next pass; steps 2
    ///    and 3 then write nothing.
    func storePicture(
        _ entry: SetFolderListing.Entry,
        of resolved: ResolvedSet,
        in set: PictureSetRecord,
        listing: SetFolderListing,
        previousError: String?,
        logger: Logger
    ) async throws -> PictureOutcome {
        var outcome = PictureOutcome(
            record: FileRecord(
                path: entry.path, folder: listing.path, signature: entry.signature, sha256: nil, pictureID: nil, outcome: .failed)
        )
        var staged: StagedBlob?
        do {
            hooks.beforeOpening(entry.path)
            let source = try await BlockingWork.run { [followsSymlinks] () throws(SourceFileError) in
                try SourceFile.open(entry, in: listing.directory, followingSymlinks: followsSymlinks)
            }
            outcome.record.signature = source.signature
            hooks.afterOpening(entry.path)
            if let problem = await BlockingWork.run({ ImageCompleteness.problem(descriptor: source.descriptor, size: source.signature.size) }) {
                throw IncompleteImage(problem: problem)
            }
            let pictureID = UUID()
            let blob = BlobLayout.picture(pictureID, folder: set.folderName, user: set.ownerID)
            outcome.filesRead += 1
            outcome.bytesRead += source.signature.size
            let bytes: StagedBlob
            if blobStore.hashesWhileStaging {
                bytes = try await hashingPermits.withPermit { try await blobStore.stage(.file(source), for: blob) }
            } else {
                let pieceSize = blobStore.uploadPieceSize(forFileOfSize: source.signature.size)
                let fingerprint = try await hashingPermits.withPermit {
                    try await BlockingWork.run { try FileContent(file: source).fingerprint(pieceSize: pieceSize, keepingUpTo: Self.keptFileSize) }
                }
                let content = BlobContent.hashedFile(fingerprint, source)
                if blobStore.stagingSendsBytes(forFileOfSize: source.signature.size),
                    let existing = try await catalogue.picture(withSHA256: fingerprint.sha256, inSet: set.id)
                {
                    // A copy of a picture the set holds: no byte is sent,
                    // unless its blob is missing.
                    outcome.record.sha256 = fingerprint.sha256
                    outcome.record.pictureID = existing.id
                    let wroteBlob = try await completeBlob(of: existing, in: set, sha256: fingerprint.sha256) {
                        try await blobStore.stage(content, for: blob)
                    }
                    try hooks.afterWrite(.pictureBlob)
                    outcome.markStored(inserted: false, wroteBlob: wroteBlob, picture: existing, logger: logger)
                    return outcome
                }
                bytes = try await blobStore.stage(content, for: blob)
            }
            staged = bytes
            outcome.record.sha256 = bytes.sha256
            try hooks.afterWrite(.staged)

            let attributes = resolved.attributes(forImage: entry.name)
            let insertion = try await catalogue.insertPictureIfAbsent(
                NewPicture(
                    id: pictureID,
                    setID: set.id,
                    seedID: attributes.seed.id,
                    document: PictureDocument(
                        link: blobStore.url(of: blob),
                        seedCount: attributes.seedCount,
                        zoom: attributes.zoom,
                        description: attributes.description,
                        sha256: bytes.sha256,
                        fileName: entry.name
                    )
                )
            )
            try hooks.afterWrite(.pictureRow)
            let picture = insertion.record
            outcome.record.pictureID = picture.id

            let wroteBlob: Bool
            if insertion.wasInserted {
                wroteBlob = try await blobStore.commit(bytes, as: blob, tags: BlobLayout.pictureTags(pictureID: picture.id, setID: set.id)) == .created
            } else {
                wroteBlob = try await completeBlob(of: picture, in: set, sha256: bytes.sha256) { bytes }
            }
            staged = nil
            try hooks.afterWrite(.pictureBlob)
            outcome.markStored(inserted: insertion.wasInserted, wroteBlob: wroteBlob, picture: picture, logger: logger)
        } catch let error as CancellationError {
            if let staged { await blobStore.discard(staged) }
            throw error
        } catch {
            if let staged { await blobStore.discard(staged) }
            if let stop = SyncRunError.escalating(error) { throw stop }
            outcome.markFailed(error, previousError: previousError, logger: logger)
        }
        return outcome
    }

    /// Makes sure `picture`, a picture of the set found by its hash, has its
    /// blob: looks at it, and commits the bytes `stage` gives only when the
    /// blob is missing (a crash between an earlier row and its blob).
    /// - Returns: Whether a blob was written.
    private func completeBlob(
        of picture: PictureRecord,
        in set: PictureSetRecord,
        sha256: ContentHash,
        stage: () async throws -> StagedBlob
    ) async throws -> Bool {
        let blob = BlobLayout.picture(picture.id, folder: set.folderName, user: set.ownerID)
        if let properties = try await blobStore.properties(of: blob) {
            if let stored = properties.sha256, stored != sha256 {
                throw BlobStoreError(
                    .failed,
                    "blob \(blob) holds other bytes (SHA-256 \(stored.hex.prefix(12))…) than its picture row says; it was changed outside nachet-sync — delete that blob so the agent stores it again"
                )
            }
            return false
        }
        let staged = try await stage()
        do {
            guard staged.sha256 == sha256 else { throw BlobStoreError.contentChanged(actual: staged.sha256, expected: sha256) }
            return try await blobStore.commit(staged, as: blob, tags: BlobLayout.pictureTags(pictureID: picture.id, setID: set.id))
                == .created
        } catch {
            await blobStore.discard(staged)
            throw error
        }
    }

    /// Reports pictures of the set that have a row but no blob and no file
    /// left to complete them (a crash between row and blob, then the file was
    /// removed), so they are never lost silently.
    func auditPictures(of set: PictureSetRecord, folder: String, owner: UUID, report: inout FolderReport) async {
        guard let stored = try? await state.perform({ try $0.files(inFolder: folder) }) else { return }
        let confirmed = Set(stored.values.filter(\.outcome.isStored).compactMap(\.pictureID))
        // The usual case: the folder's stored files account for every picture
        // of the set, so there is nothing to look for and the set is not
        // listed from the catalogue on every pass.
        if confirmed.count == set.numberOfImages + report.uploaded { return }
        guard let pictures = try? await catalogue.pictures(inSet: set.id) else { return }
        for picture in pictures where picture.sha256 != nil && !confirmed.contains(picture.id) {
            let blob = BlobLayout.picture(picture.id, folder: set.folderName, user: owner)
            do {
                guard try await blobStore.properties(of: blob) == nil else { continue }
            } catch {
                continue
            }
            report.problems.append(
                "picture \(picture.id.lowercased) (from \(picture.fileName ?? "an unknown file")) is in the catalogue but its blob is missing and no file in the folder has its bytes — put the file back in the folder so the agent completes it"
            )
        }
    }
}

/// An image whose end (or start) is missing: a copy still under way or cut
/// short. Never stored; looked at again as soon as it changes.
struct IncompleteImage: Error, CustomStringConvertible {
    /// What is missing, from ``ImageCompleteness``.
    var problem: String

    var description: String {
        "the image looks incomplete (\(problem)); it is uploaded once the copy is whole — copy it again if the copy failed"
    }
}

/// What storing one file did, merged into the folder's report by the caller.
struct PictureOutcome: Sendable {
    /// The state record to write for the file.
    var record: FileRecord
    var failure: FolderReport.FileFailure?
    var filesRead = 0
    var bytesRead: Int64 = 0

    func add(to report: inout FolderReport) {
        switch record.outcome {
        case .uploaded: report.uploaded += 1
        case .alreadyStored: report.alreadyStored += 1
        case .failed: break
        }
        if let failure { report.failures.append(failure) }
        report.filesRead += filesRead
        report.bytesRead += bytesRead
    }

    /// The file's bytes are `picture`, just inserted or found by their hash.
    mutating func markStored(inserted: Bool, wroteBlob: Bool, picture: PictureRecord, logger: Logger) {
        if inserted {
            record.outcome = .uploaded
            logger.info("uploaded", metadata: ["picture_id": "\(picture.id.lowercased)", "sha256": "\(record.sha256?.hex ?? "-")"])
        } else {
            record.outcome = .alreadyStored
            logger.info(
                wroteBlob ? "completed a picture whose blob was missing" : "already in the set",
                metadata: ["picture_id": "\(picture.id.lowercased)", "same_as": "\(picture.fileName ?? "-")"]
            )
        }
    }

    /// The file could not be stored: recorded as failed, so it is looked at
    /// again as soon as it changes, and said once.
    mutating func markFailed(_ error: any Error, previousError: String?, logger: Logger) {
        record.outcome = .failed
        record.error = "\(error)"
        failure = FolderReport.FileFailure(path: record.path, reason: "\(error)")
        let isNew = previousError != record.error
        if let incomplete = error as? IncompleteImage {
            logger.log(level: isNew ? .warning : .debug, "not taking an incomplete image", metadata: ["reason": "\(incomplete.problem)"])
        } else {
            logger.log(level: isNew ? .error : .debug, "cannot store the image; retrying at the next pass", metadata: ["error": "\(error)"])
        }
    }
}
