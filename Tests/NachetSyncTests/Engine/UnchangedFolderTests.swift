import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// A rescan of folders that did not change costs no round trip per folder:
/// counted in requests to the catalogue, never timed.
@Suite("Unchanged folders: no round trip per folder")
struct UnchangedFolderTests {
    private func fill(_ datastore: TestDatastore, sets: Int, perSet: Int) throws {
        for set in 0..<sets {
            try datastore.drop.makeSet("lot-\(set)", metadata: DropFolderBuilder.metadata())
            for image in 0..<perSet {
                try datastore.drop.writeImage("img-\(image).png", in: "lot-\(set)", seed: UInt64(set * 100 + image))
            }
        }
    }

    private func countingEngine(_ datastore: TestDatastore) -> (SyncEngine, CountingCatalogue) {
        let counting = CountingCatalogue(datastore.catalogue)
        return (SyncEngine(catalogue: counting, blobStore: datastore.blobStore, state: datastore.state, logger: TestDatastore.quietLogger), counting)
    }

    @Test(arguments: CatalogueKind.allCases)
    func aRescanOfUnchangedFoldersAsksTheCatalogueOnceForThemAll(backend: CatalogueKind) async throws {
        let datastore = try await TestDatastore.make(catalogue: backend)
        try fill(datastore, sets: 20, perSet: 3)
        let (engine, counting) = countingEngine(datastore)
        let first = try await datastore.sync(engine)
        #expect(first.uploaded == 60)

        // The same engine, as `watch` rescans.
        counting.reset()
        let rescan = try await datastore.sync(engine)
        #expect(rescan.unchanged == 60 && rescan.filesRead == 0)
        #expect(counting.calls == ["pictureSets(among:)": 1], "one request for every set at once, none per folder: \(counting.calls)")

        // A new engine, as `sync` run again: nothing cached, and still nothing asked per folder.
        let (restarted, restartedCounting) = countingEngine(datastore)
        let again = try await datastore.sync(restarted)
        #expect(again.unchanged == 60 && again.filesRead == 0)
        #expect(
            restartedCounting.calls == ["pictureSets(among:)": 1, "identity": 1],
            "and, once per engine, what the catalogue is: \(restartedCounting.calls)")
    }

    @Test func aFolderThatChangedIsLookedAtAndTheOthersAreNot() async throws {
        let datastore = try await TestDatastore.make()
        try fill(datastore, sets: 5, perSet: 2)
        let (engine, counting) = countingEngine(datastore)
        _ = try await datastore.sync(engine)
        try datastore.drop.writeImage("new.png", in: "lot-3", seed: 999)
        counting.reset()

        let rescan = try await datastore.sync(engine)

        #expect(rescan.uploaded == 1)
        #expect(rescan.unchanged == 10)
        #expect(
            counting.calls["pictureSets(among:)"] == 2,
            "only the changed folder's set was read, and the unchanged ones' checked at once: \(counting.calls)")
        #expect(counting.calls["seeds"] == nil && counting.calls["user(email:)"] == nil, "users and seeds come from the cache")
    }

    @Test(arguments: CatalogueKind.allCases)
    func aSetDeletedBehindAnUnchangedFolderIsNoticedAndMadeAgain(backend: CatalogueKind) async throws {
        let datastore = try await TestDatastore.make(catalogue: backend)
        try makeGood(datastore)
        try fill(datastore, sets: 1, perSet: 2)
        _ = try await datastore.sync()
        // Someone removes the set in Nachet (its pictures go with it).
        let setID = try #require(try await datastore.state.perform { try $0.folder(datastore.drop.root + "/lot-0")?.setID })
        _ = try await datastore.sql("DELETE FROM picture_seed WHERE picture_id IN (SELECT id FROM picture WHERE picture_set_id = '\(setID.lowercased)')")
        _ = try await datastore.sql("DELETE FROM picture WHERE picture_set_id = '\(setID.lowercased)'")
        _ = try await datastore.sql("DELETE FROM picture_set WHERE id = '\(setID.lowercased)'")

        let report = try await datastore.sync()

        let lot = try #require(report.folders.first { $0.path.hasSuffix("/lot-0") })
        #expect(lot.setID != nil && lot.setID != setID, "a new set was made: \(report.summary)")
        #expect(try await datastore.numberOfImages()["lot-0"] == 2)
        #expect(try await datastore.numberOfImages()["good"] == 1)
    }

    private func makeGood(_ datastore: TestDatastore) throws {
        try datastore.drop.makeSet("good", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("g.png", in: "good", seed: 9_001)
    }
}
