import Foundation
import Logging

extension SyncEngine {
    /// One pass over the set folder at `path`, then its status file and
    /// metrics brought up to date.
    /// - Parameters:
    ///   - verifying: Whether the pass checks the folder's set in the
    ///     datastore (``DatastoreCheck``) and stores again what it lost.
    ///   - observer: Told how far the pass has got, as it goes.
    /// - Throws: ``SyncRunError`` when the destination or the state file
    ///   fails for every file; `CancellationError` when cancelled.
    package func syncFolder(
        _ path: String,
        readiness: StabilityTracker,
        verifying: DatastoreChecking = .never,
        observer: (any SyncObserver)? = nil
    ) async throws -> FolderReport {
        try await recogniseDestination()
        return try await syncFolder(path, ticket: setNames.begin(), readiness: readiness, verifying: verifying, observer: observer)
    }

    /// ``syncFolder(_:readiness:verifying:observer:)`` for a folder whose
    /// pass was given its place among the passes in flight (`ticket`).
    func syncFolder(
        _ path: String,
        ticket: SetNameClaims.Ticket,
        readiness: StabilityTracker,
        verifying: DatastoreChecking,
        observer: (any SyncObserver)?
    ) async throws -> FolderReport {
        let report: FolderReport
        do {
            defer { setNames.end(ticket) }
            report = try await passOverFolder(path, ticket: ticket, readiness: readiness, verifying: verifying, observer: observer)
        }
        statusFiles?.record(FolderStatus(report: report))
        metrics.folderPassed(report)
        observer?.folderFinished(report)
        return report
    }

    /// Checks the folder's metadata, makes sure its picture set exists, then
    /// stores each image that is new or changed.
    private func passOverFolder(
        _ path: String,
        ticket: SetNameClaims.Ticket,
        readiness: StabilityTracker,
        verifying checking: DatastoreChecking,
        observer: (any SyncObserver)?
    ) async throws -> FolderReport {
        var logger = self.logger
        logger[metadataKey: "folder"] = "\(path)"
        var report = FolderReport(path: path, status: .pending)
        guard let (previous, listing) = try await readFolder(path, report: &report, logger: logger) else { return report }
        var record = previous ?? FolderRecord(path: path, status: .pending)
        record.identity = listing.identity
        // Only the datastore itself can be checked; through a service, the
        // service answers for what it holds.
        let verifying = destination.holdings != nil && checking.isDue(lastChecked: record.datastoreCheckedAt, now: Date())
        report.skipped = listing.skipped
        skipNotices.announce(listing.skipped, in: path, logger: logger)
        report.datastoreProblems = record.datastoreProblems
        if !verifying, skipsUnchanged(listing, record: record, readiness: readiness, observer: observer, report: &report) {
            return report
        }
        record.listingDigest = nil

        if let missing = awaitedFile(in: listing) {
            report.waitFor(listing.images)
            report.waitingFor = missing
            record.status = .pending
            record.lastError = nil
            try await saveFolderRecord(record, logger: logger)
            logger.debug("waiting for \(missing)", metadata: ["images": "\(listing.images.count)"])
            return report
        }
        guard
            let (resolved, set) = try await pictureSet(
                of: listing, previous: previous, ticket: ticket, record: &record, report: &report, logger: &logger)
        else { return report }

        // The datastore is the truth: the check drops the records of files
        // whose picture it lost, the pass stores them again, and the check
        // then says what is left that only a person can put right.
        let check =
            verifying ? try await beginDatastoreCheck(of: set, listing: listing, readiness: readiness, report: &report, logger: logger) : nil
        try await storeImages(listing, of: resolved, in: set, readiness: readiness, observer: observer, report: &report, logger: logger)
        if let check {
            try await concludeDatastoreCheck(check, listing: listing, record: &record, report: &report, logger: logger)
        } else if report.failures.isEmpty && !verifying {
            await auditPictures(of: set, folder: path, report: &report)
        }
        record.status = .active
        record.lastError = report.lastProblem
        // A pass that left nothing to do lets the next one with the same
        // listing skip the folder (what the datastore check found stays in
        // the record, and is not undone by passing again).
        let leftNothing = report.failures.isEmpty && report.problems.isEmpty && report.waiting == 0 && report.notes.isEmpty
        record.listingDigest = leftNothing ? listing.digest : nil
        try await saveFolderRecord(record, logger: logger)
        return report
    }

    /// The folder's record (under its old name when it was renamed) and its
    /// listing; `nil` when it cannot be listed, said in `report`.
    private func readFolder(
        _ path: String,
        report: inout FolderReport,
        logger: Logger
    ) async throws -> (previous: FolderRecord?, listing: SetFolderListing)? {
        let previous: FolderRecord?
        let listing: SetFolderListing
        do {
            previous = try await state.perform { try $0.folder(path) }
            listing = try await BlockingWork.run { [extensions, followsSymlinks, readyMarker] in
                try SetFolderListing.list(
                    path, extensions: extensions, followingSymlinks: followsSymlinks, readyMarker: readyMarker,
                    ownNames: StatusFileWriter.ownNames)
            }
        } catch {
            report.status = .failed
            report.problems.append("\(error)")
            logger.error("cannot read the folder", metadata: ["error": "\(error)"])
            return nil
        }
        if let previous { return (previous, listing) }
        return (try await adoptRenamedFolder(listing, logger: logger), listing)
    }

    /// Whether the folder's listing and metadata are those of its last pass,
    /// which left nothing to do: then there is nothing to do now either, and
    /// nothing to ask the destination (its set is checked with all the
    /// others at once, ``revalidateUnchangedSets()``). Fills `report` when so.
    private func skipsUnchanged(
        _ listing: SetFolderListing,
        record: FolderRecord,
        readiness: StabilityTracker,
        observer: (any SyncObserver)?,
        report: inout FolderReport
    ) -> Bool {
        guard let digest = record.listingDigest, digest == listing.digest, record.status == .active, let setID = record.setID else {
            return false
        }
        report.status = .active
        report.setID = setID
        report.folderName = record.folderName
        report.unchanged = listing.images.count
        for image in listing.images { readiness.forget(path: image.path) }
        observer?.filesFinished(
            listing.images.count, bytes: listing.images.reduce(0) { $0 + $1.signature.size }, read: 0, uploaded: 0, failed: 0)
        unchangedSets.note(setID, owner: record.userID, folder: listing.path)
        return true
    }

    /// The folder's metadata resolved and its picture set found or made;
    /// `nil` when the metadata is refused or the set cannot be had, said in
    /// `report` and the folder's record.
    private func pictureSet(
        of listing: SetFolderListing,
        previous: FolderRecord?,
        ticket: SetNameClaims.Ticket,
        record: inout FolderRecord,
        report: inout FolderReport,
        logger: inout Logger
    ) async throws -> (ResolvedSet, PictureSetRecord)? {
        let resolved: ResolvedSet
        let set: PictureSetRecord
        do {
            let metadataText: String
            do {
                defer { setNames.settle(ticket) }
                (resolved, metadataText) = try await resolveMetadata(of: listing, against: previous, ticket: ticket)
            }
            report.folderName = resolved.folderName
            logger[metadataKey: "set"] = "\(resolved.folderName)"
            report.notes = resolved.overridesNamingNoImage(in: listing)
            skipNotices.announce(notes: report.notes, in: listing.path, logger: logger)
            set = try await ensurePictureSet(for: resolved, record: &record, metadataText: metadataText)
        } catch let problems as MetadataProblems {
            try await reject(record, problems: problems, listing: listing, report: &report, logger: logger)
            return nil
        } catch let error as CancellationError {
            throw error
        } catch {
            if let stop = SyncRunError.escalating(error) { throw stop }
            try await fail(record, error: error, listing: listing, report: &report, logger: logger)
            return nil
        }
        report.setID = set.id
        report.status = .active
        return (resolved, set)
    }

    /// The record of this folder under the name it had before a rename (same
    /// device and inode, old path gone): moved to the new name, so the
    /// folder keeps its set and nothing in it is read again.
    private func adoptRenamedFolder(_ listing: SetFolderListing, logger: Logger) async throws -> FolderRecord? {
        let path = listing.path
        guard let old = try await state.perform({ try $0.folder(identity: listing.identity, notAt: path) }) else { return nil }
        // The old name must not still be this same folder (a second link to
        // it) nor another folder with the old identity's numbers reused.
        var status = stat()
        if stat(old.path, &status) == 0, UInt64(status.st_dev) == listing.identity.device, UInt64(status.st_ino) == listing.identity.inode {
            return nil
        }
        try await state.perform { try $0.moveFolder(from: old.path, to: path) }
        logger.notice(
            "the folder was renamed; it keeps its picture set, and its files are not read again",
            metadata: ["renamed_from": "\(old.path)", "set": "\(old.folderName ?? "-")"])
        var moved = old
        moved.path = path
        return moved
    }

    /// The file the folder still waits for before anything in it is taken:
    /// its `metadata.json`, or the ready marker in marker mode.
    private func awaitedFile(in listing: SetFolderListing) -> String? {
        if !listing.hasMetadata { return SetFolderListing.metadataFileName }
        if let readyMarker, !listing.hasReadyMarker { return readyMarker }
        return nil
    }

    /// Reads and checks `metadata.json`, and that it still names the owner
    /// and folder the set was created with.
    private func resolveMetadata(
        of listing: SetFolderListing,
        against previous: FolderRecord?,
        ticket: SetNameClaims.Ticket
    ) async throws -> (ResolvedSet, String) {
        let data = try await BlockingWork.run { [followsSymlinks] () throws(MetadataProblems) in
            try MetadataFile.read(in: listing.directory, followingSymlinks: followsSymlinks)
        }
        let metadata = try SetMetadata.parse(data)
        var resolved = try await ResolvedSet.resolve(
            metadata,
            directoryName: (listing.path as NSString).lastPathComponent,
            destination: directory
        )
        if metadata.folderName == nil, previous?.setID != nil, let kept = previous?.folderName {
            // A name derived from the folder's own name binds nothing once
            // the set exists: a renamed folder keeps its set's name.
            resolved.folderName = kept
        }
        if previous?.setID == nil, metadata.folderName == nil, let problem = FolderName.problem(with: resolved.folderName) {
            // Checked before the set is made: a name the blob store cannot
            // hold would leave a row without its folder.
            throw MetadataProblems([
                MetadataProblem(
                    field: nil,
                    message: "the set would be named after this folder, \"\(JSONDocument.displayed(resolved.folderName))\", which \(problem)",
                    fix: "rename the folder, or give metadata.json a \"folder_name\" (\(FolderName.rule))")
            ])
        }
        if previous?.setID == nil, !metadata.appendsToSet {
            try await refuseSharingASet(resolved, folder: listing.path, ticket: ticket)
        }
        if let previous, previous.setID != nil {
            var problems: [MetadataProblem] = []
            if let userID = previous.userID, userID != resolved.owner.id {
                problems.append(
                    MetadataProblem(
                        field: "user_email",
                        message:
                            "now names \(resolved.owner.email), but this folder's pictures already belong to user \(userID.lowercased)",
                        fix: "restore the previous owner, or put the other user's images in a new subfolder"
                    )
                )
            }
            if let folderName = previous.folderName, folderName != resolved.folderName {
                problems.append(
                    MetadataProblem(
                        field: "folder_name",
                        message: "now gives \"\(resolved.folderName)\", but the set was created as \"\(folderName)\"",
                        fix: "restore \"folder_name\": \"\(folderName)\", or start a new subfolder for a new set"
                    )
                )
            }
            if !problems.isEmpty { throw MetadataProblems(problems) }
        }
        return (resolved, String(decoding: data, as: UTF8.self))
    }

    /// Refuses a folder whose set would be one that is not its own: the
    /// owner's `General` set, or the set of another folder of the drop
    /// folders that resolves to the same name (`lot.1` and `lot_1`, one
    /// `folder_name` given twice, names equal after Unicode normalisation),
    /// whether that folder's record names the set already or its pass is
    /// in flight beside this one (``SetNameClaims``: the folder started
    /// first keeps the name). Two folders are never merged into one set
    /// without a word; `"append_to_set": true` says it is meant.
    private func refuseSharingASet(_ resolved: ResolvedSet, folder: String, ticket: SetNameClaims.Ticket) async throws {
        let fix = "give this folder a \"folder_name\" of its own in metadata.json, or add \"append_to_set\": true to add its images to that set"
        if resolved.folderName == BlobLayout.defaultFolderName {
            throw MetadataProblems([
                MetadataProblem(
                    field: resolved.metadata.folderName == nil ? nil : "folder_name",
                    message: "the set would be \"\(BlobLayout.defaultFolderName)\", \(resolved.owner.email)'s own default set in Nachet",
                    fix: fix)
            ])
        }
        let inFlight = await setNames.claim(.init(owner: resolved.owner.id, name: resolved.folderName), by: folder, ticket: ticket)
        let others = try await state.perform { [owner = resolved.owner.id, name = resolved.folderName] in
            try $0.folders(named: name, ownedBy: owner)
        }
        // Paths compare by their bytes: Swift calls "café" and "cafe\u{301}"
        // equal, the file system holds them as two folders.
        let recorded = others.first { !$0.path.utf8.elementsEqual(folder.utf8) && FileManager.default.fileExists(atPath: $0.path) }
        guard let other = recorded?.path ?? inFlight else { return }
        throw MetadataProblems([
            MetadataProblem(
                field: resolved.metadata.folderName == nil ? nil : "folder_name",
                message: "the set would be \"\(resolved.folderName)\", which is already the set of the folder \(other)",
                fix: fix)
        ])
    }

    /// The folder's picture set, created with its blob folder when missing.
    ///
    /// Crash safety: the row is found or created first, by owner and name, so
    /// a set whose state record was never written is found again, not made
    /// twice; the marker blob is put if absent; the state record comes last.
    private func ensurePictureSet(
        for resolved: ResolvedSet,
        record: inout FolderRecord,
        metadataText: String
    ) async throws -> PictureSetRecord {
        let before = record
        var set: PictureSetRecord?
        if let id = record.setID { set = try await destination.pictureSet(id: id) }
        if set == nil {
            let request = NewPictureSet(
                ownerID: resolved.owner.id,
                name: resolved.folderName,
                document: PictureSetDocument(createdBy: resolved.owner.id)
            )
            let (created, isNew) = try await destination.findOrCreatePictureSet(request)
            if isNew {
                logger.info("created picture set", metadata: ["set": "\(resolved.folderName)", "set_id": "\(created.id.lowercased)"])
            }
            try reached(.pictureSetRow)
            set = created
            record.markerStored = false
        }
        guard let set else { throw CatalogueError(.notFound, "the picture set vanished while being created") }
        if let previousSet = before.setID, previousSet != set.id {
            // The set the folder's files were stored in is gone (removed in
            // Nachet): what the state file says of them is about that set,
            // so it is forgotten and the files are stored in this one.
            try await state.perform { [path = record.path] in try $0.forgetFiles(inFolder: path) }
            logger.warning(
                "the folder's picture set is gone from the catalogue; its images are stored again in a new set",
                metadata: ["folder": "\(record.path)", "old_set_id": "\(previousSet.lowercased)", "set_id": "\(set.id.lowercased)"])
        }
        if !record.markerStored {
            try await destination.prepareFolder(of: set)
            try reached(.folderMarker)
        }
        record.setID = set.id
        record.userID = set.ownerID
        record.folderName = set.folderName
        record.metadata = metadataText
        record.markerStored = true
        record.status = .active
        if record != before {
            // Written now, before any picture: a crash from here on finds the
            // set again through this record.
            let saved = record
            try await state.perform { try $0.save(saved) }
            try reached(.folderState)
        }
        return set
    }

    /// Marks the folder invalid for the problems of its metadata, said
    /// once each time they change.
    private func reject(
        _ record: FolderRecord,
        problems: MetadataProblems,
        listing: SetFolderListing,
        report: inout FolderReport,
        logger: Logger
    ) async throws {
        var record = record
        let previousError = record.lastError
        record.status = .invalid
        record.lastError = "metadata.json: " + problems.description
        report.status = .invalid
        report.waitFor(listing.images)
        report.problems = problems.problems.map { "metadata.json: \($0)" }
        // The live agent passes over an invalid folder again and again: say it
        // once, and again only when the problems change.
        let level: Logger.Level = record.lastError != previousError ? .error : .debug
        if level == .error { metrics.failed(.invalidMetadata) }
        for problem in problems.problems {
            logger.log(
                level: level,
                "metadata.json: \(problem.message)",
                metadata: ["field": "\(problem.field ?? "-")", "fix": "\(problem.fix)"]
            )
        }
        try await saveFolderRecord(record, logger: logger)
    }

    /// Marks the folder failed: its set could not be had; the next pass tries again.
    private func fail(
        _ record: FolderRecord,
        error: any Error,
        listing: SetFolderListing,
        report: inout FolderReport,
        logger: Logger
    ) async throws {
        var record = record
        let level: Logger.Level = record.lastError == "\(error)" ? .debug : .error
        if level == .error { metrics.failed(FailureReason(classifying: error)) }
        record.status = .failed
        record.lastError = "\(error)"
        report.status = .failed
        report.waitFor(listing.images)
        report.problems.append("\(error)")
        logger.log(level: level, "cannot prepare the picture set; retrying at the next pass", metadata: ["error": "\(error)"])
        try await saveFolderRecord(record, logger: logger)
    }

    /// Saves the folder record; a state file that cannot be written stops the pass.
    private func saveFolderRecord(_ record: FolderRecord, logger: Logger) async throws {
        do {
            try await state.perform { try $0.save(record) }
        } catch {
            logger.critical("cannot write the state file", metadata: ["error": "\(error)"])
            throw SyncRunError("\(error)", reason: .stateFile)
        }
    }
}
