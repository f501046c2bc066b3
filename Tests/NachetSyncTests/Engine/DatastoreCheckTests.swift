import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// The datastore is the truth, the state file a cache: a switched catalogue
/// or blob store starts from its own records, and what an administrator
/// does to the datastore is found by the datastore check, put right from
/// the files where it can be, and reported by name where not.
///
/// Each case runs on every pair of backends, beside a good folder with a new
/// image, which the same pass must still store. One at a time: each starts
/// emulators and databases, and the watch tests need the two cores too.
@Suite("Datastore check: the datastore is the truth", .serialized)
struct DatastoreCheckTests {
    @Test(arguments: Backends.all)
    func aSwitchedBlobStoreGetsEveryPictureFromTheFiles(backends: Backends) async throws {
        let before = try await TestDatastore.make(catalogue: backends.catalogue, blobs: backends.blobs)
        try await before.syncLot(count: 2)
        let datastore = try await before.withNewBlobStore()
        try datastore.addGoodFolder()

        // The records are the old blob store's: even without a check, the
        // new one starts from none of them.
        let report = try await datastore.sync()

        #expect(report.errors == 0, "\(report.summary)")
        let lot = try report.folder(named: "lot-1")
        #expect(lot.alreadyStored == 2 && lot.unchanged == 0, "each file read and its blob written: \(report.summary)")
        #expect(try await datastore.rowCount("picture") == 3, "no second row")
        #expect(datastore.blobNames().contains { $0.hasSuffix("/lot-1/lot-1.json") }, "the folder marker too")
        try await datastore.expectOneBlobPerRow()
        try await datastore.expectGoodFolderStored(report)

        let again = try await datastore.sync(verifying: true)
        #expect(again.errors == 0 && again.filesRead == 0, "\(again.summary)")
    }

    @Test(arguments: Backends.all)
    func aSwitchedCatalogueGetsItsOwnSetsInsteadOfRefusingTheFolders(backends: Backends) async throws {
        let before = try await TestDatastore.make(catalogue: backends.catalogue, blobs: backends.blobs)
        try await before.syncLot(count: 2)
        let datastore = try await before.withNewCatalogue()
        try datastore.addGoodFolder()

        let report = try await datastore.sync(verifying: true)

        #expect(report.errors == 0, "not \"restore the previous owner\": \(report.summary)")
        #expect(try report.folder(named: "lot-1").uploaded == 2)
        #expect(try await datastore.rowCount("picture") == 3)
        #expect(try await datastore.numberOfImages()["lot-1"] == 2)
        #expect(datastore.pictureBlobNames().filter { $0.hasPrefix("user-\(datastore.user.id.lowercased)/lot-1/") }.count == 2)
        try await datastore.expectGoodFolderStored(report)
    }

    @Test(arguments: Backends.all)
    func aWipedBlobFolderComesBackFromTheFiles(backends: Backends) async throws {
        let datastore = try await TestDatastore.make(catalogue: backends.catalogue, blobs: backends.blobs)
        try await datastore.syncLot(count: 3)
        for name in datastore.blobNames() where name.contains("/lot-1/") { try datastore.removeBlob(name) }
        try datastore.addGoodFolder()

        let report = try await datastore.sync(verifying: true)

        #expect(report.errors == 0, "\(report.summary)")
        let repaired = try report.folder(named: "lot-1").repaired
        #expect(repaired.count == 2, "\(repaired)")
        #expect(repaired.contains { $0.contains("folder marker") && $0.contains("lot-1/lot-1.json") })
        #expect(repaired.contains { $0.hasPrefix("the blobs of 3 pictures were missing; written again from their files") })
        #expect(report.summary.contains("1 set repaired by the datastore check"))
        #expect(try await datastore.rowCount("picture") == 4)
        #expect(datastore.blobNames().contains { $0.hasSuffix("/lot-1/lot-1.json") })
        try await datastore.expectOneBlobPerRow()
        try await datastore.expectGoodFolderStored(report)

        let again = try await datastore.sync(verifying: true)
        #expect(again.errors == 0 && again.filesRead == 0, "\(again.summary)")
        #expect(try again.folder(named: "lot-1").repaired.isEmpty)
    }

    @Test(arguments: Backends.all)
    func deletedPictureRowsAreStoredAgainAndTheirOldBlobsReported(backends: Backends) async throws {
        let datastore = try await TestDatastore.make(catalogue: backends.catalogue, blobs: backends.blobs)
        try await datastore.syncLot(count: 2)
        let oldBlobs = datastore.pictureBlobNames()
        let oldRows = Set(try await datastore.pictureRows().map(\.id))
        let set = "(SELECT id FROM picture_set WHERE name = 'lot-1')"
        try await datastore.sql("DELETE FROM picture_seed WHERE picture_id IN (SELECT id FROM picture WHERE picture_set_id = \(set))")
        try await datastore.sql("DELETE FROM picture WHERE picture_set_id = \(set)")
        try datastore.addGoodFolder()

        let report = try await datastore.sync(verifying: true)

        let lot = try report.folder(named: "lot-1")
        #expect(lot.uploaded == 2, "\(report.summary)")
        #expect(lot.repaired.count == 1 && lot.repaired.first?.contains("were gone from the catalogue") == true, "\(lot.repaired)")
        #expect(try await datastore.numberOfImages()["lot-1"] == 2)
        let rows = try await datastore.pictureRows().filter { $0.json["file_name"] as? String != "new.png" }
        #expect(rows.count == 2)
        #expect(Set(rows.map(\.id)).isDisjoint(with: oldRows), "new rows")
        for row in rows {
            let blob = try #require(datastore.pictureBlobNames().first { $0.hasSuffix("/" + row.id) }, "a new blob for each new row")
            #expect(try datastore.blobSHA256(blob) == row.json["sha256"] as? String)
        }
        // The old blobs lost their rows: reported, each once by name, and
        // left where they are.
        #expect(lot.datastoreProblems.count == 2, "\(lot.datastoreProblems)")
        for old in oldBlobs {
            #expect(lot.datastoreProblems.contains { $0.contains(old) && $0.contains("has no picture row") && $0.contains("left untouched") })
        }
        #expect(Set(datastore.pictureBlobNames()).isSuperset(of: oldBlobs))
        #expect(report.errors == 2)
        #expect(report.summary.contains("    datastore: blob "))
        let status = try #require(try datastore.state.folder(datastore.drop.root + "/lot-1"))
        #expect(status.datastoreProblems == lot.datastoreProblems, "kept for `status` until the next check")
        try await datastore.expectGoodFolderStored(report)
    }

    @Test(arguments: Backends.all)
    func aRowWhoseBlobAndFileAreGoneIsReportedByNameOnce(backends: Backends) async throws {
        let datastore = try await TestDatastore.make(catalogue: backends.catalogue, blobs: backends.blobs)
        try await datastore.syncLot(count: 2)
        let lost = try #require(try await datastore.pictureRows().first { $0.json["file_name"] as? String == "img-0.png" })
        try datastore.removeBlob(try #require(datastore.pictureBlobNames().first { $0.hasSuffix("/" + lost.id) }))
        try FileManager.default.removeItem(atPath: datastore.drop.root + "/lot-1/img-0.png")
        try datastore.addGoodFolder()

        let report = try await datastore.sync(verifying: true)

        let lot = try report.folder(named: "lot-1")
        #expect(lot.datastoreProblems.count == 1, "\(report.summary)")
        let message = try #require(lot.datastoreProblems.first)
        #expect(message.contains(lost.id) && message.contains("img-0.png") && message.contains("blob"))
        #expect(message.contains("put the file back"))
        #expect(report.errors == 1)
        #expect(report.summary.split(separator: "\n").filter { $0.contains(lost.id) }.count == 1, "said once: \(report.summary)")
        try await datastore.expectGoodFolderStored(report)
    }

    @Test func withoutACheckAWipedBlobFolderGoesUnnoticedAsBefore() async throws {
        let datastore = try await TestDatastore.make()
        try await datastore.syncLot(count: 1)
        for name in datastore.pictureBlobNames() { try datastore.removeBlob(name) }

        let report = try await datastore.sync(verifying: false)

        #expect(report.filesRead == 0, "the check is what looks: --verify-every 0 turns it off")
    }

    /// `sync` run often from a timer checks each set once per interval, as
    /// the state file records it, not at every run: a blob lost after a
    /// check goes unnoticed until the interval has passed, then comes back.
    @Test func syncChecksASetAgainOnlyOnceTheIntervalHasPassed() async throws {
        let datastore = try await TestDatastore.make()
        let daily = DatastoreChecking.notCheckedWithin(.seconds(24 * 3_600))
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("img-0.png", in: "lot-1", seed: 0)
        let first = try await datastore.sync(checking: daily)
        #expect(first.uploaded == 1, "\(first.summary)")
        let checkedAt = try #require(try datastore.state.folder(datastore.drop.root + "/lot-1")?.datastoreCheckedAt)
        #expect(abs(checkedAt.timeIntervalSinceNow) < 3_600, "the first run checked the new set, and said when")

        for name in datastore.pictureBlobNames() { try datastore.removeBlob(name) }
        let soon = try await datastore.sync(checking: daily)
        #expect(soon.filesRead == 0 && soon.folders.allSatisfy { $0.repaired.isEmpty }, "checked an hour ago: \(soon.summary)")
        #expect(datastore.pictureBlobNames().isEmpty)

        // A day later, as the state file says.
        var record = try #require(try datastore.state.folder(datastore.drop.root + "/lot-1"))
        record.datastoreCheckedAt = Date(timeIntervalSinceNow: -25 * 3_600)
        try datastore.state.save(record)
        let later = try await datastore.sync(checking: daily)
        #expect(later.errors == 0, "\(later.summary)")
        #expect(try later.folder(named: "lot-1").repaired.contains { $0.hasPrefix("the blob of img-0.png's picture was missing") }, "\(later.summary)")
        try await datastore.expectOneBlobPerRow()
        let rechecked = try #require(try datastore.state.folder(datastore.drop.root + "/lot-1")?.datastoreCheckedAt)
        #expect(rechecked > record.datastoreCheckedAt!)
    }

    /// A check time after now (the PC's clock was set back) counts as long
    /// ago, never as "checked for the next years".
    @Test func aCheckTimeInTheFutureIsDue() {
        let daily = DatastoreChecking.notCheckedWithin(.seconds(24 * 3_600))
        let now = Date()
        #expect(daily.isDue(lastChecked: nil, now: now))
        #expect(!daily.isDue(lastChecked: now.addingTimeInterval(-3_600), now: now))
        #expect(daily.isDue(lastChecked: now.addingTimeInterval(-25 * 3_600), now: now))
        #expect(daily.isDue(lastChecked: now.addingTimeInterval(3_600), now: now))
        #expect(!DatastoreChecking.never.isDue(lastChecked: nil, now: now))
        #expect(DatastoreChecking.always.isDue(lastChecked: now, now: now))
    }
}
