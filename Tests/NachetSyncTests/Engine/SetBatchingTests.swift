import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// A pass over many small set folders far from the catalogue asks it once
/// per batch of sets or pictures, never once per set: counted in requests
/// to a catalogue answering 200 ms after each call, never timed. (How many
/// share a batch depends on how fast the folders are read meanwhile: on a
/// loaded machine, behind a 50 ms round trip, batches of two were seen; one
/// request per set would be 200 of each kind.)
@Suite("Set batching: a pass over N sets costs O(N / batch) requests")
struct SetBatchingTests {
    private static let sets = 200
    private static let perSet = 2

    private func fill(_ datastore: TestDatastore) throws {
        for set in 0..<Self.sets {
            try datastore.drop.makeSet("lot-\(set)", metadata: DropFolderBuilder.metadata())
            for image in 0..<Self.perSet {
                try datastore.drop.writeImage("img-\(image).png", in: "lot-\(set)", seed: UInt64(set * 100 + image))
            }
        }
    }

    private func farEngine(_ datastore: TestDatastore, state: SyncState? = nil) -> (SyncEngine, CountingCatalogue) {
        let counting = CountingCatalogue(datastore.catalogue, roundTrip: .milliseconds(200))
        let engine = SyncEngine(
            catalogue: counting, blobStore: datastore.blobStore, state: state ?? datastore.state, logger: TestDatastore.quietLogger)
        return (engine, counting)
    }

    @Test(arguments: CatalogueKind.allCases)
    func newSetsTheirCheckAndALostStateFileAskOncePerBatch(backend: CatalogueKind) async throws {
        let datastore = try await TestDatastore.make(catalogue: backend)
        try fill(datastore)
        let pictures = Self.sets * Self.perSet

        let (engine, counting) = farEngine(datastore)
        let first = try await datastore.sync(engine)
        #expect(first.uploaded == pictures && first.errors == 0, "\(first.summary)")
        let made = counting.calls
        #expect((made["findOrCreatePictureSets"] ?? 0) <= Self.sets / 4, "sets made in batches: \(made)")
        #expect((made["insertPicturesIfAbsent"] ?? 0) <= pictures / 4, "rows of many sets in one statement: \(made)")
        #expect(made["seeds"] == 1 && made["user(email:)"] == 1, "folders in flight share one lookup: \(made)")
        #expect(counting.total <= Self.sets, "not one request per set: \(made)")
        #expect(try await datastore.numberOfImages().values.filter { $0 == Self.perSet }.count == Self.sets)

        // The datastore check of every set, as `watch` makes at its start.
        counting.reset()
        let checked = try await datastore.sync(engine, verifying: true)
        #expect(checked.errors == 0 && checked.filesRead == 0, "\(checked.summary)")
        let check = counting.calls
        #expect((check["pictureIDs(inSets:)"] ?? 0) <= Self.sets / 4, "picture ids of many sets at once: \(check)")
        #expect((check["pictureSets(among:)"] ?? 0) <= Self.sets / 4, "sets read in batches: \(check)")
        #expect(counting.total <= Self.sets / 4, "\(check)")

        // A lost state file: every file read again, nothing stored twice,
        // and the sets and rows found again in batches.
        let lost = try SyncState(directory: datastore.directory.appending("new-state"), destination: datastore.state.destination)
        let (restarted, restartedCounting) = farEngine(datastore, state: lost)
        let again = try await datastore.sync(restarted)
        #expect(again.uploaded == 0 && again.alreadyStored == pictures && again.errors == 0, "\(again.summary)")
        let found = restartedCounting.calls
        #expect((found["findOrCreatePictureSets"] ?? 0) <= Self.sets / 4, "\(found)")
        #expect((found["insertPicturesIfAbsent"] ?? 0) <= pictures / 4, "\(found)")
        #expect(restartedCounting.total <= Self.sets, "\(found)")
        #expect(try await datastore.rowCount("picture") == pictures)
    }
}
