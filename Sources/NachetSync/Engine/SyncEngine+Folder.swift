import Foundation
import Logging

extension SyncEngine {
    /// One pass over one set folder, then its status file brought up to date.
    func syncFolder(_ path: String, seeds: SeedDirectory, readiness: StabilityTracker) async throws -> FolderReport {
        let report = try await passOverFolder(path, seeds: seeds, readiness: readiness)
        statusFiles?.record(FolderStatus(report: report))
        return report
    }

    /// Checks the folder's metadata, makes sure its picture set exists, then
    /// stores each image that is new or changed.
    private func passOverFolder(_ path: String, seeds: SeedDirectory, readiness: StabilityTracker) async throws -> FolderReport {
        var logger = self.logger
        logger[metadataKey: "folder"] = "\(path)"
        var report = FolderReport(path: path, status: .pending)
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
            return report
        }
        var record = previous ?? FolderRecord(path: path, status: .pending)
        report.skipped = listing.skipped
        skipNotices.announce(listing.skipped, in: path, logger: logger)

        if let missing = awaitedFile(in: listing) {
            report.waiting = listing.images.count
            report.waitingFor = missing
            record.status = .pending
            record.lastError = nil
            try await saveFolderRecord(record, logger: logger)
            logger.debug("waiting for \(missing)", metadata: ["images": "\(listing.images.count)"])
            return report
        }

        let resolved: ResolvedSet
        let metadataText: String
        do {
            (resolved, metadataText) = try await resolveMetadata(of: listing, seeds: seeds, against: previous)
        } catch let problems as MetadataProblems {
            return try await reject(record, problems: problems, listing: listing, report: &report, logger: logger)
        } catch let error as CancellationError {
            throw error
        } catch {
            if let stop = SyncRunError.escalating(error) { throw stop }
            return try await fail(record, error: error, listing: listing, report: &report, logger: logger)
        }
        report.folderName = resolved.folderName
        logger[metadataKey: "set"] = "\(resolved.folderName)"
        report.notes = resolved.overridesNamingNoImage(in: listing)
        skipNotices.announce(notes: report.notes, in: path, logger: logger)

        let set: PictureSetRecord
        do {
            set = try await ensurePictureSet(for: resolved, record: &record, metadataText: metadataText)
        } catch let error as CancellationError {
            throw error
        } catch {
            if let stop = SyncRunError.escalating(error) { throw stop }
            return try await fail(record, error: error, listing: listing, report: &report, logger: logger)
        }
        report.setID = set.id
        report.status = .active

        try await storeImages(listing, of: resolved, in: set, readiness: readiness, report: &report, logger: logger)
        if report.failures.isEmpty {
            await auditPictures(of: set, folder: path, owner: resolved.owner.id, report: &report)
        }
        record.status = .active
        record.lastError = report.lastProblem
        try await saveFolderRecord(record, logger: logger)
        return report
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
        seeds: SeedDirectory,
        against previous: FolderRecord?
    ) async throws -> (ResolvedSet, String) {
        let data = try await BlockingWork.run { [followsSymlinks] () throws(MetadataProblems) in
            try MetadataFile.read(in: listing.directory, followingSymlinks: followsSymlinks)
        }
        let metadata = try SetMetadata.parse(data)
        let resolved = try await ResolvedSet.resolve(
            metadata,
            directoryName: (listing.path as NSString).lastPathComponent,
            catalogue: catalogue,
            seeds: seeds
        )
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
        var set: PictureSetRecord?
        if let id = record.setID { set = try await catalogue.pictureSet(id: id) }
        if set == nil {
            let request = NewPictureSet(
                ownerID: resolved.owner.id,
                name: resolved.folderName,
                document: PictureSetDocument(createdBy: resolved.owner.id)
            )
            let (created, isNew) = try await catalogue.findOrCreatePictureSet(request)
            if isNew {
                logger.info("created picture set", metadata: ["set": "\(resolved.folderName)", "set_id": "\(created.id.lowercased)"])
            }
            try hooks.afterWrite(.pictureSetRow)
            set = created
            record.markerStored = false
        }
        guard let set else { throw CatalogueError(.notFound, "the picture set vanished while being created") }
        if !record.markerStored {
            try await storeFolderMarker(folder: set.folderName, setID: set.id, owner: set.ownerID)
            try hooks.afterWrite(.folderMarker)
        }
        record.setID = set.id
        record.userID = set.ownerID
        record.folderName = set.folderName
        record.metadata = metadataText
        record.markerStored = true
        record.status = .active
        let saved = record
        try await state.perform { try $0.save(saved) }
        try hooks.afterWrite(.folderState)
        return set
    }

    private func reject(
        _ record: FolderRecord,
        problems: MetadataProblems,
        listing: SetFolderListing,
        report: inout FolderReport,
        logger: Logger
    ) async throws -> FolderReport {
        var record = record
        let previousError = record.lastError
        record.status = .invalid
        record.lastError = "metadata.json: " + problems.description
        report.status = .invalid
        report.waiting = listing.images.count
        report.problems = problems.problems.map { "metadata.json: \($0)" }
        // The live agent passes over an invalid folder again and again: say it
        // once, and again only when the problems change.
        let level: Logger.Level = record.lastError != previousError ? .error : .debug
        for problem in problems.problems {
            logger.log(
                level: level,
                "metadata.json: \(problem.message)",
                metadata: ["field": "\(problem.field ?? "-")", "fix": "\(problem.fix)"]
            )
        }
        try await saveFolderRecord(record, logger: logger)
        return report
    }

    private func fail(
        _ record: FolderRecord,
        error: any Error,
        listing: SetFolderListing,
        report: inout FolderReport,
        logger: Logger
    ) async throws -> FolderReport {
        var record = record
        let level: Logger.Level = record.lastError == "\(error)" ? .debug : .error
        record.status = .failed
        record.lastError = "\(error)"
        report.status = .failed
        report.waiting = listing.images.count
        report.problems.append("\(error)")
        logger.log(level: level, "cannot prepare the picture set; retrying at the next pass", metadata: ["error": "\(error)"])
        try await saveFolderRecord(record, logger: logger)
        return report
    }

    /// Saves the folder record; a state file that cannot be written stops the pass.
    private func saveFolderRecord(_ record: FolderRecord, logger: Logger) async throws {
        do {
            try await state.perform { try $0.save(record) }
        } catch {
            logger.critical("cannot write the state file", metadata: ["error": "\(error)"])
            throw SyncRunError("\(error)")
        }
    }
}
