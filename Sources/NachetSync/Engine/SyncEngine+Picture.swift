import Foundation
import Logging

extension SyncEngine {
    /// Stores every image of the folder that is new or changed since it was
    /// stored, in the engine's window of pictures in flight (``PictureWindow``,
    /// shared by every folder passed over at once).
    ///
    /// Each picture goes through the same steps (open and check, then
    /// ``Destination/store(_:as:in:afterWrite:)``, then its state record),
    /// and each step is a shared resource with a bound of its own: hashing
    /// (CPU: all cores but one), the catalogue (latency: rows of pictures
    /// waiting at the same time go as one batch), uploads (bandwidth: blocks
    /// and the memory of small files bounded), the state file (records of
    /// pictures ending at about the same time written in one transaction).
    /// With more pictures in flight than any one step takes at once, a slow
    /// step never idles the others: while a batch of rows is on its way to a
    /// far catalogue, the next files are hashed and staged, and the ones
    /// before are uploaded. Memory stays flat: pictures in flight are
    /// bounded, and so are the bytes they hold.
    ///
    /// Files run in parallel safely: the catalogue's insert-if-absent is one
    /// transaction, so two files with the same bytes make one picture, and the
    /// blob commit is if-absent.
    func storeImages(
        _ listing: SetFolderListing,
        of resolved: ResolvedSet,
        in set: PictureSetRecord,
        readiness: StabilityTracker,
        observer: (any SyncObserver)?,
        report: inout FolderReport,
        logger: Logger
    ) async throws {
        let known = try await state.perform { [path = listing.path] in try $0.files(inFolder: path) }
        let ready = filesToStore(listing, known: known, readiness: readiness, observer: observer, report: &report)
        defer { metrics.queue(inFlight: 0, waiting: 0) }
        var finished = 0
        metrics.queue(inFlight: min(pictureWindow.size, ready.count), waiting: max(0, ready.count - pictureWindow.size))
        try await BoundedConcurrency.forEach(ready, atMost: pictureWindow.maximum) { entry in
            var fileLogger = logger
            fileLogger[metadataKey: "file"] = "\(entry.name)"
            // The window is shared by every folder in flight: pictures
            // wait here, holding nothing, for their turn. Only pictures the
            // destination stored tell the window how far it is.
            let outcome = try await pictureWindow.withTurn(measuredWhen: { $0.record.outcome.isStored }) {
                try await storePicture(
                    entry, of: resolved, in: set, listing: listing, previousError: known[entry.path]?.error, logger: fileLogger)
            }
            do {
                _ = try await stateWrites.submit(outcome.record)
            } catch {
                throw SyncRunError("\(error)", isTransient: true, reason: .stateFile)
            }
            try reached(.fileState)
            return outcome
        } finished: { outcome in
            finished += 1
            outcome.add(to: &report)
            outcome.report(to: metrics, observer: observer)
            hooks.afterFileRecorded(outcome.record.path)
            readiness.forget(path: outcome.record.path)
            let running = min(pictureWindow.size, ready.count - finished)
            metrics.queue(inFlight: running, waiting: ready.count - finished - running)
        }
        let present = Set(listing.images.map(\.path))
        let gone = known.keys.filter { !present.contains($0) }
        if !gone.isEmpty {
            try? await state.perform { state in
                for path in gone { try state.removeFile(path) }
            }
        }
    }

    /// The folder's images to read now: not those stored and unchanged
    /// since, nor those refused for their bytes and unchanged since (both
    /// counted in `report`), nor those still changing (waiting).
    private func filesToStore(
        _ listing: SetFolderListing,
        known: [String: FileRecord],
        readiness: StabilityTracker,
        observer: (any SyncObserver)?,
        report: inout FolderReport
    ) -> [SetFolderListing.Entry] {
        var ready: [SetFolderListing.Entry] = []
        var unchangedBytes: Int64 = 0
        var refusedAgain = 0
        for entry in listing.images {
            if let record = known[entry.path], record.isStoredAndUnchanged(entry.signature) {
                report.unchanged += 1
                unchangedBytes += entry.signature.size
                readiness.forget(path: entry.path)
            } else if let record = known[entry.path], record.isRefusedAndUnchanged(entry.signature) {
                // Judged by its bytes, which have not changed: not read
                // again, and still counted against the folder (said once).
                report.failures.append(FolderReport.FileFailure(path: entry.path, reason: record.error ?? "refused"))
                refusedAgain += 1
                readiness.forget(path: entry.path)
            } else if !readiness.isReady(path: entry.path, signature: entry.signature) {
                report.waiting += 1
                report.bytesWaiting += entry.signature.size
            } else {
                ready.append(entry)
            }
        }
        if report.unchanged > 0 { observer?.filesFinished(report.unchanged, bytes: unchangedBytes, read: 0, uploaded: 0, failed: 0) }
        if refusedAgain > 0 { observer?.filesFinished(refusedAgain, bytes: 0, read: 0, uploaded: 0, failed: refusedAgain) }
        return ready
    }

    /// Stores one image file and returns the state record to write for it.
    ///
    /// The file is opened once (``SourceFile``: not through a link, never
    /// blocking, and only if it is the file the listing saw), checked to be
    /// a whole image, read and hashed once as the destination plans it
    /// (``PictureReader``), and handed to the destination with its bytes;
    /// the order of its writes is argued in
    /// ``DatastoreDestination/store(_:as:in:afterWrite:)``.
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
        do {
            hooks.beforeOpening(entry.path)
            let source = try await BlockingWork.run { [followsSymlinks] () throws(SourceFileError) in
                try SourceFile.open(entry, in: listing.directory, followingSymlinks: followsSymlinks)
            }
            outcome.record.signature = source.signature
            hooks.afterOpening(entry.path)
            switch await BlockingWork.run({ ImageContent.verdict(descriptor: source.descriptor, size: source.signature.size) }) {
            case .image: break
            case .unfinished(let problem): throw IncompleteImage(problem: problem)
            case .notAnImage(let problem): throw NotAnImage(problem: problem)
            }
            outcome.filesRead += 1
            outcome.bytesRead += source.signature.size
            let attributes = resolved.attributes(forImage: entry.name)
            let draft = PictureDraft(
                fileName: entry.name, seed: attributes.seed, zoom: attributes.zoom, seedCount: attributes.seedCount,
                description: attributes.description)
            let stored = try await reader.withContent(of: source, for: destination) { content in
                try await destination.store(content, as: draft, in: set, afterWrite: reached)
            }
            outcome.markStored(stored, logger: logger)
        } catch let error as CancellationError {
            throw error
        } catch {
            if let stop = SyncRunError.escalating(error) { throw stop }
            outcome.markFailed(error, previousError: previousError, logger: logger)
        }
        return outcome
    }

    /// Reports pictures of the set that have a row but no blob and no file
    /// left to complete them (a crash between row and blob, then the file was
    /// removed), so they are never lost silently.
    func auditPictures(of set: PictureSetRecord, folder: String, report: inout FolderReport) async {
        guard let holdings = destination.holdings else { return }
        guard let stored = try? await state.perform({ try $0.files(inFolder: folder) }) else { return }
        let confirmed = Set(stored.values.filter(\.outcome.isStored).compactMap(\.pictureID))
        // The usual case: the folder's stored files account for every picture
        // of the set, so there is nothing to look for and the set is not
        // listed from the catalogue on every pass.
        if confirmed.count == set.numberOfImages + report.uploaded { return }
        guard let pictures = try? await holdings.pictures(inSet: set.id) else { return }
        for picture in pictures where picture.sha256 != nil && !confirmed.contains(picture.id) {
            do {
                guard try await !holdings.hasBlob(ofPicture: picture.id, in: set) else { continue }
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

/// A file with an image's name whose bytes are no image format stored (a
/// text file named `.png`; ``ImageContent``). Never stored; looked at again
/// when it changes.
struct NotAnImage: Error, CustomStringConvertible {
    /// What its bytes are, from ``ImageContent``.
    var problem: String

    var description: String {
        "not an image: \(problem); it is not uploaded — put the image itself in its place, or move the file out of the set folder"
    }
}

/// What storing one file did, merged into the folder's report by the caller.
struct PictureOutcome: Sendable {
    /// The state record to write for the file.
    var record: FileRecord
    var failure: FolderReport.FileFailure?
    /// Why it failed, as the metrics count it.
    var failureReason: FailureReason?
    var filesRead = 0
    var bytesRead: Int64 = 0

    /// Tells the metrics and the observer what storing the file did.
    func report(to metrics: AgentMetrics, observer: (any SyncObserver)?) {
        let size = record.signature.size
        if record.outcome == .uploaded { metrics.stored(bytes: size) }
        if let failureReason { metrics.failed(failureReason) }
        observer?.filesFinished(
            1, bytes: size, read: bytesRead, uploaded: record.outcome == .uploaded ? 1 : 0, failed: record.outcome.isStored ? 0 : 1)
    }

    func add(to report: inout FolderReport) {
        switch record.outcome {
        case .uploaded: report.uploaded += 1
        case .alreadyStored: report.alreadyStored += 1
        case .failed, .refused: break
        }
        if let failure { report.failures.append(failure) }
        report.filesRead += filesRead
        report.bytesRead += bytesRead
    }

    /// The file's bytes are the picture `stored` names, just made or found
    /// by their hash.
    mutating func markStored(_ stored: StoredPicture, logger: Logger) {
        record.sha256 = stored.sha256
        record.pictureID = stored.pictureID
        // One line per file at debug level only: a sync of thousands of
        // files shows a progress line and a summary instead.
        if stored.isNew {
            record.outcome = .uploaded
            logger.debug("uploaded", metadata: ["picture_id": "\(stored.pictureID?.lowercased ?? "-")", "sha256": "\(stored.sha256.hex)"])
        } else {
            record.outcome = .alreadyStored
            logger.log(
                level: stored.completedBlob ? .info : .debug,
                stored.completedBlob ? "completed a picture whose blob was missing" : "already in the set",
                metadata: ["picture_id": "\(stored.pictureID?.lowercased ?? "-")", "same_as": "\(stored.sameAs ?? "-")"]
            )
        }
    }

    /// The file could not be stored: recorded as failed, so it is looked at
    /// again as soon as it changes, and said once.
    ///
    /// A file refused for its bytes (not an image, or unfinished) is
    /// recorded as refused instead: not read again until it changes.
    mutating func markFailed(_ error: any Error, previousError: String?, logger: Logger) {
        record.outcome = error is IncompleteImage || error is NotAnImage ? .refused : .failed
        record.error = "\(error)"
        failure = FolderReport.FileFailure(path: record.path, reason: "\(error)")
        failureReason = FailureReason(classifying: error)
        let isNew = previousError != record.error
        if let incomplete = error as? IncompleteImage {
            logger.log(level: isNew ? .warning : .debug, "not taking an incomplete image", metadata: ["reason": "\(incomplete.problem)"])
        } else if let notAnImage = error as? NotAnImage {
            logger.log(level: isNew ? .warning : .debug, "not taking a file that is not an image", metadata: ["reason": "\(notAnImage.problem)"])
        } else {
            logger.log(level: isNew ? .error : .debug, "cannot store the image; retrying at the next pass", metadata: ["error": "\(error)"])
        }
    }
}
