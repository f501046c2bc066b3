import Foundation

/// The catalogue calls of the pictures and set folders in flight at once,
/// gathered into one statement each (``BatchQueue``): a pass over thousands
/// of small set folders far from the catalogue makes one round trip per
/// batch of sets or pictures, never one per set.
///
/// Each kind of call is a stream of batches of its own: while one batch is
/// on its way, what is asked meanwhile waits and goes as the next one, so
/// the batch size follows the load (one folder alone is answered at once;
/// sixty-four folders behind a slow round trip share one statement).
/// Batches carry every guarantee a single call had: each is one
/// transaction of the catalogue (``Catalogue``), whose locks are argued
/// where they are taken.
struct CatalogueBatches: Sendable {
    /// The most sets or pictures in one statement.
    static let batchSize = 64

    let catalogue: any Catalogue
    /// Sets found or created by owner and name.
    private let setsByName: BatchQueue<Int, NewPictureSet, (set: PictureSetRecord, created: Bool)>
    /// Sets read by id (`nil`: gone).
    private let setsByID: BatchQueue<Int, UUID, PictureSetRecord?>
    /// The picture ids of sets, for the datastore check.
    private let pictureIDs: BatchQueue<Int, UUID, [UUID]>
    /// Picture rows, of any sets.
    private let rows: BatchQueue<Int, NewPicture, Result<PictureInsertion, CatalogueError>>

    init(catalogue: any Catalogue) {
        self.catalogue = catalogue
        setsByName = BatchQueue(maximumBatch: Self.batchSize) { requests in
            try await catalogue.findOrCreatePictureSets(requests)
        }
        setsByID = BatchQueue(maximumBatch: Self.batchSize * 4) { ids in
            let found = Dictionary(try await catalogue.pictureSets(among: ids).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            return ids.map { found[$0] }
        }
        pictureIDs = BatchQueue(maximumBatch: Self.batchSize) { sets in
            let ids = try await catalogue.pictureIDs(inSets: sets)
            return sets.map { ids[$0] ?? [] }
        }
        rows = BatchQueue(maximumBatch: Self.batchSize) { pictures in try await Self.insert(pictures, into: catalogue) }
    }

    /// The owner's set named `request.name`, created when missing.
    func findOrCreatePictureSet(_ request: NewPictureSet) async throws -> (set: PictureSetRecord, created: Bool) {
        try await setsByName.submit(request)
    }

    /// The set with `id`, or `nil` when it is gone.
    func pictureSet(id: UUID) async throws -> PictureSetRecord? {
        try await setsByID.submit(id)
    }

    /// The ids of the set's pictures.
    func pictureIDs(inSet id: UUID) async throws -> [UUID] {
        try await pictureIDs.submit(id)
    }

    /// Inserts the picture unless its set holds its bytes (``Catalogue/insertPicturesIfAbsent(_:)``).
    func insertPictureIfAbsent(_ picture: NewPicture) async throws -> PictureInsertion {
        try await rows.submit(picture).get()
    }

    /// One batch of rows. A batch is all or nothing, so a set gone from the
    /// catalogue (removed in Nachet while its folder was in flight) would
    /// refuse the pictures of every other set with it: then the sets are
    /// looked up, and the pictures of those still there go again, alone.
    private static func insert(_ pictures: [NewPicture], into catalogue: any Catalogue) async throws
        -> [Result<PictureInsertion, CatalogueError>]
    {
        let sets = Array(Set(pictures.map(\.setID)))
        let failure: CatalogueError
        do {
            return try await catalogue.insertPicturesIfAbsent(pictures).map { .success($0) }
        } catch {
            failure = error
        }
        guard failure.code == .notFound, sets.count > 1 else { throw failure }
        let present = try await catalogue.existingPictureSets(among: sets)
        var inserted = try await catalogue.insertPicturesIfAbsent(pictures.filter { present.contains($0.setID) }).makeIterator()
        return pictures.map { picture in
            guard present.contains(picture.setID), let insertion = inserted.next() else {
                return .failure(CatalogueError(.notFound, "picture set \(picture.setID.lowercased) is no longer in the catalogue"))
            }
            return .success(insertion)
        }
    }
}
