import Foundation
import Logging

/// The datastore check of a folder's set, in two halves around the folder's
/// pass (``DatastoreCheck``): the datastore is the truth, the state file a
/// cache of it.
///
/// Cost: one blob listing of the set's folder, one catalogue query of its
/// picture ids, and one read of the folder's state records; a blob is
/// looked at on its own (a HEAD), and the set's pictures read for their
/// file names, only when a row without a blob is about to be reported.
/// The check runs inside the folder's pass, so it is cancelled with it and
/// does no more than one pass's worth of requests.
extension SyncEngine {
    /// Before the pass: lists the set's blob folder, then reads its picture
    /// rows, puts the folder marker back when missing, and drops the state
    /// records of files whose picture the datastore lost, so that the pass
    /// stores them again (at once: they are unchanged since recorded).
    ///
    /// - Returns: The check to conclude after the pass; `nil` when the
    ///   destination is not the datastore itself, or the check was refused
    ///   (then said in `report`, and uploads go on).
    /// - Throws: ``SyncRunError`` when the datastore or the state file is
    ///   failing for everything; `CancellationError` when cancelled.
    func beginDatastoreCheck(
        of set: PictureSetRecord,
        listing: SetFolderListing,
        readiness: StabilityTracker,
        report: inout FolderReport,
        logger: Logger
    ) async throws -> DatastoreCheck? {
        guard let holdings = destination.holdings else { return nil }
        let check: DatastoreCheck
        do {
            let names = try await holdings.blobNames(inFolderOf: set)
            try Task.checkCancellation()
            let pictureIDs = try await holdings.pictureIDs(inSet: set.id)
            let records = try await state.perform { [path = listing.path] in try $0.files(inFolder: path) }
            check = DatastoreCheck(set: set, blobNames: names, pictureIDs: pictureIDs, records: records)
            if check.markerMissing { try await destination.prepareFolder(of: set) }
            if !check.lost.isEmpty {
                let paths = check.lost.map(\.file.path)
                try await state.perform { state in
                    for path in paths { try state.removeFile(path) }
                }
                let current = Dictionary(listing.images.map { ($0.path, $0.signature) }, uniquingKeysWith: { first, _ in first })
                for lost in check.lost where current[lost.file.path] == lost.file.signature {
                    readiness.markStable(path: lost.file.path, signature: lost.file.signature)
                }
            }
        } catch let error as CancellationError {
            throw error
        } catch {
            if let stop = SyncRunError.escalating(error), stop.isTransient { throw stop }
            report.datastoreProblems.append("cannot check the datastore for this set: \(error)")
            logger.warning("cannot check the datastore for this set; uploads go on", metadata: ["error": "\(error)"])
            return nil
        }
        return check
    }

    /// After the pass: says what the check put right and what only a person
    /// can, keeps the latter in the folder's record (for `status` and the
    /// status file, until the next check), and logs each finding.
    ///
    /// A row without a blob is reported only once no file of the folder can
    /// complete it: while files of the folder are still changing or failed,
    /// the verdict waits for the next check.
    func concludeDatastoreCheck(
        _ check: DatastoreCheck,
        listing: SetFolderListing,
        record: inout FolderRecord,
        report: inout FolderReport,
        logger: Logger
    ) async throws {
        let after = try await state.perform { [path = listing.path] in try $0.files(inFolder: path) }
        var repaired: [String] = []
        if check.markerMissing { repaired.append(check.markerRestoredMessage) }
        let rows = check.restored(.row, after: after)
        if !rows.isEmpty { repaired.append(DatastoreCheck.restoredRowsMessage(rows)) }
        let stillWithoutBlob = check.rowsStillWithoutBlob(after: after)
        let blobFiles = Set(check.rowsWithoutBlob).subtracting(stillWithoutBlob)
        let restoredBlobs = after.values.filter { $0.outcome.isStored && $0.pictureID.map(blobFiles.contains) == true }
            .map { DatastoreCheck.name(of: $0.path) }.sorted()
        if !restoredBlobs.isEmpty { repaired.append(DatastoreCheck.restoredBlobsMessage(restoredBlobs)) }

        let gone = check.lostAndGone(present: Set(listing.images.map(\.path)))
        var unrepairable = gone.map(check.lostAndGoneMessage)
        if report.waiting == 0 && report.failures.isEmpty {
            // Said once each: a row whose file is named above is not named again.
            let named = Set(gone.compactMap(\.file.pictureID))
            unrepairable += await rowsWithoutBlobMessages(stillWithoutBlob.filter { !named.contains($0) }, of: check)
        }
        unrepairable += check.strayBlobs.map(check.strayBlobMessage)

        for message in repaired { logger.warning("datastore check: repaired: \(message)") }
        for message in unrepairable {
            let level: Logger.Level = record.datastoreProblems.contains(message) ? .debug : .warning
            logger.log(level: level, "datastore check: \(message)")
        }
        record.datastoreProblems = unrepairable
        record.datastoreCheckedAt = Date()
        report.repaired = repaired
        report.datastoreProblems = unrepairable
    }

    /// What to say of rows whose blob no file of the folder restored: each
    /// one whose blob is still missing, looked at on its own (another agent
    /// may just have written it), named with its original file name.
    private func rowsWithoutBlobMessages(_ ids: [UUID], of check: DatastoreCheck) async -> [String] {
        guard !ids.isEmpty, let holdings = destination.holdings else { return [] }
        var missing: [UUID] = []
        for id in ids {
            do {
                if try await !holdings.hasBlob(ofPicture: id, in: check.set) { missing.append(id) }
            } catch {
                continue  // the store cannot say now; the next check asks again
            }
        }
        guard !missing.isEmpty else { return [] }
        let fileNames = (try? await holdings.pictures(inSet: check.set.id)).map { pictures in
            Dictionary(pictures.map { ($0.id, $0.fileName) }, uniquingKeysWith: { first, _ in first })
        }
        return missing.map { check.rowWithoutBlobMessage($0, fileName: fileNames?[$0] ?? nil) }
    }
}
