import Foundation
import Logging

extension SyncEngine {
    /// Stores every image of the folder that is new or changed since it was
    /// stored, up to ``SyncEngine/parallelUploads`` at a time.
    ///
    /// Files run in parallel safely: the catalogue's insert-if-absent is one
    /// transaction, so two files with the same bytes make one picture, and the
    /// blob put is if-absent. Each file's state record is written here, after
    /// its blob, one at a time.
    func storeImages(
        _ listing: SetFolderListing,
        of resolved: ResolvedSet,
        in set: PictureSetRecord,
        readiness: StabilityTracker,
        report: inout FolderReport,
        logger: Logger
    ) async throws {
        let known = try state.files(inFolder: listing.path)
        var ready: [SetFolderListing.Entry] = []
        for entry in listing.images {
            if let record = known[entry.path], record.isStoredAndUnchanged(entry.signature) {
                report.unchanged += 1
                readiness.forget(path: entry.path)
            } else if !readiness.isReady(path: entry.path, signature: entry.signature) {
                report.waiting += 1
            } else if let problem = ImageCompleteness.problem(path: entry.path, size: entry.signature.size) {
                // A copy still under way, cut short, or not started: never a
                // picture. Recorded as failed, so it is looked at again as soon
                // as it changes, and said once.
                try recordIncomplete(
                    entry, problem: problem, folder: listing.path, known: known[entry.path], report: &report, logger: logger)
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
                    try await storePicture(
                        entry, of: resolved, in: set, folder: listing.path, previousError: previousError, logger: fileLogger)
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
                    try state.save(outcome.record)
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
        for path in known.keys where !present.contains(path) {
            try? state.removeFile(path)
        }
    }

    private func recordIncomplete(
        _ entry: SetFolderListing.Entry,
        problem: String,
        folder: String,
        known: FileRecord?,
        report: inout FolderReport,
        logger: Logger
    ) throws {
        let reason = "the image looks incomplete (\(problem)); it is uploaded once the copy is whole — copy it again if the copy failed"
        report.failures.append(FolderReport.FileFailure(path: entry.path, reason: reason))
        logger.log(
            level: known?.error == reason ? .debug : .warning, "not taking an incomplete image",
            metadata: ["file": "\(entry.name)", "reason": "\(problem)"])
        do {
            try state.save(
                FileRecord(
                    path: entry.path, folder: folder, signature: entry.signature, sha256: nil, pictureID: nil, outcome: .failed,
                    error: reason)
            )
        } catch {
            throw SyncRunError("\(error)", isTransient: true)
        }
    }

    /// Stores one image file and returns the state record to write for it.
    ///
    /// The writes happen in this order, which is what makes a crash anywhere
    /// harmless:
    ///
    /// 1. **hash** the file (nothing written), keeping its bytes when it is
    ///    small (``SyncEngine/keptFileSize``) and taking the checksums of the
    ///    pieces the blob store sends it in, if it wants them, so that step 3
    ///    hashes nothing again. A crash here loses only the work.
    /// 2. **row**: insert the `picture` row, unless the set already has one
    ///    with this SHA-256, in one catalogue transaction. The hash is the key:
    ///    a crash after this point and a re-run find the row again instead of
    ///    inserting a second one, whatever the file is called now.
    /// 3. **blob**: put the bytes as `<folder>/<picture id>`, if absent,
    ///    checking on the way that they are the bytes hashed. A row whose blob
    ///    is missing (crash between 2 and 3) gets its blob at the next pass,
    ///    because step 2 returns the existing row and step 3 then finds no
    ///    blob. A blob is only ever
    ///    written after its row, so it is never orphaned.
    /// 4. **state**: record the file as stored (by the caller). A crash before
    ///    this only means the file is hashed again at the next pass; steps 2
    ///    and 3 then write nothing.
    func storePicture(
        _ entry: SetFolderListing.Entry,
        of resolved: ResolvedSet,
        in set: PictureSetRecord,
        folder: String,
        previousError: String?,
        logger: Logger
    ) async throws -> PictureOutcome {
        var outcome = PictureOutcome(
            record: FileRecord(path: entry.path, folder: folder, signature: entry.signature, sha256: nil, pictureID: nil, outcome: .failed)
        )
        do {
            let fingerprint = try await hashingPermits.withPermit {
                try FileContent(path: entry.path).fingerprint(
                    pieceSize: blobStore.uploadPieceSize(forFileOfSize: entry.signature.size), keepingUpTo: Self.keptFileSize)
            }
            let (hash, signature) = (fingerprint.sha256, fingerprint.signature)
            outcome.filesRead += 1
            outcome.bytesRead += signature.size
            outcome.record.signature = signature
            outcome.record.sha256 = hash
            try hooks.afterWrite(.hashed)

            let attributes = resolved.attributes(forImage: entry.name)
            let pictureID = UUID()
            let blob = BlobLayout.picture(pictureID, folder: set.folderName, user: set.ownerID)
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
                        sha256: hash,
                        fileName: entry.name
                    )
                )
            )
            try hooks.afterWrite(.pictureRow)
            let picture = insertion.record
            outcome.record.pictureID = picture.id

            let wroteBlob = try await storeBlob(
                of: entry,
                fingerprint: fingerprint,
                picture: picture,
                set: set,
                mustExist: !insertion.wasInserted,
                outcome: &outcome
            )
            try hooks.afterWrite(.pictureBlob)

            if insertion.wasInserted {
                outcome.record.outcome = .uploaded
                logger.info("uploaded", metadata: ["picture_id": "\(picture.id.lowercased)", "sha256": "\(hash.hex)"])
            } else {
                outcome.record.outcome = .alreadyStored
                logger.info(
                    wroteBlob ? "completed a picture whose blob was missing" : "already in the set",
                    metadata: ["picture_id": "\(picture.id.lowercased)", "same_as": "\(picture.fileName ?? "-")"]
                )
            }
        } catch let error as CancellationError {
            throw error
        } catch {
            if let stop = SyncRunError.escalating(error) { throw stop }
            outcome.record.outcome = .failed
            outcome.record.error = "\(error)"
            outcome.failure = FolderReport.FileFailure(path: entry.path, reason: "\(error)")
            logger.log(
                level: previousError == outcome.record.error ? .debug : .error,
                "cannot store the image; retrying at the next pass",
                metadata: ["error": "\(error)"]
            )
        }
        return outcome
    }

    /// Makes sure the picture's blob holds the file's bytes.
    ///
    /// For a row just inserted the blob cannot exist yet, so it is put directly
    /// (if absent, in case another agent raced). For a row found by its hash the
    /// blob is looked at first, and put only when missing.
    /// - Returns: Whether a blob was written.
    private func storeBlob(
        of entry: SetFolderListing.Entry,
        fingerprint: FileFingerprint,
        picture: PictureRecord,
        set: PictureSetRecord,
        mustExist: Bool,
        outcome: inout PictureOutcome
    ) async throws -> Bool {
        let blob = BlobLayout.picture(picture.id, folder: set.folderName, user: set.ownerID)
        if mustExist, let properties = try await blobStore.properties(of: blob) {
            if let stored = properties.sha256, stored != fingerprint.sha256 {
                throw BlobStoreError(
                    .failed,
                    "blob \(blob) holds other bytes (SHA-256 \(stored.hex.prefix(12))…) than its picture row says; it was changed outside nachet-sync — delete that blob so the agent stores it again"
                )
            }
            return false
        }
        let put = try await blobStore.putIfAbsent(
            blob,
            content: .hashedFile(fingerprint, path: entry.path),
            properties: BlobUploadProperties(sha256: fingerprint.sha256, tags: BlobLayout.pictureTags(pictureID: picture.id, setID: set.id))
        )
        outcome.filesRead += 1
        return put == .created
    }

    /// Reports pictures of the set that have a row but no blob and no file
    /// left to complete them (a crash between row and blob, then the file was
    /// removed), so they are never lost silently.
    func auditPictures(of set: PictureSetRecord, folder: String, owner: UUID, report: inout FolderReport) async {
        guard let stored = try? state.files(inFolder: folder) else { return }
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
}
