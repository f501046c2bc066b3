import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// A pass over many small set folders far from the catalogue asks it once
/// per batch of sets or pictures, never once per set: counted in requests
/// to a catalogue answering 200 ms after each call, never timed.
///
/// How many share a batch depends on how fast the folders are read while a
/// batch is on its way: 200 sets took 22 to 26 statements run alone, 65 to
/// 72 inside the whole suite on a loaded 2-core machine. So the bound is
/// half a request per set (``perSetBound``), which one request per set (200
/// of each kind, as before batching) is far past whatever the load.
@Suite("Set batching: a pass over N sets costs O(N / batch) requests")
struct SetBatchingTests {
    private static let sets = 200
    private static let perSet = 2
    /// At most one request for every two sets or pictures.
    private static func perSetBound(_ count: Int) -> Int { count / 2 }

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
        #expect((made["findOrCreatePictureSets"] ?? 0) <= Self.perSetBound(Self.sets), "sets made in batches: \(made)")
        #expect((made["insertPicturesIfAbsent"] ?? 0) <= Self.perSetBound(pictures), "rows of many sets in one statement: \(made)")
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
        #expect((found["findOrCreatePictureSets"] ?? 0) <= Self.perSetBound(Self.sets), "\(found)")
        #expect((found["insertPicturesIfAbsent"] ?? 0) <= Self.perSetBound(pictures), "\(found)")
        #expect(restartedCounting.total <= Self.sets, "\(found)")
        #expect(try await datastore.rowCount("picture") == pictures)
    }
}
