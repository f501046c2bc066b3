import CoreMetrics
import Foundation

/// A catalogue whose every call is timed into `nachet_sync_catalogue_seconds`
/// (by operation), whatever its backend.
struct MeasuredCatalogue: Catalogue {
    let catalogue: any Catalogue
    let metrics: AgentMetrics

    var location: String { catalogue.location }

    func close() async { await catalogue.close() }

    /// Runs `body`, recording its duration under `operation`, failed or not.
    private func timed<T>(_ operation: String, _ body: () async throws(CatalogueError) -> T) async throws(CatalogueError) -> T {
        let start = ContinuousClock.now
        defer { metrics.catalogueLatency(operation).recordInterval(since: start) }
        return try await body()
    }

    func user(email: String) async throws(CatalogueError) -> CatalogueUser? {
        try await timed("user") { () async throws(CatalogueError) in try await catalogue.user(email: email) }
    }

    func user(id: UUID) async throws(CatalogueError) -> CatalogueUser? {
        try await timed("user") { () async throws(CatalogueError) in try await catalogue.user(id: id) }
    }

    func registerUser(email: String) async throws(CatalogueError) -> (user: CatalogueUser, created: Bool) {
        try await timed("register_user") { () async throws(CatalogueError) in try await catalogue.registerUser(email: email) }
    }

    func pictureIDs(inSets setIDs: [UUID]) async throws(CatalogueError) -> [UUID: [UUID]] {
        try await timed("picture_ids") { () async throws(CatalogueError) in try await catalogue.pictureIDs(inSets: setIDs) }
    }

    func identity() async throws(CatalogueError) -> String? {
        try await timed("identity") { () async throws(CatalogueError) in try await catalogue.identity() }
    }

    func seeds() async throws(CatalogueError) -> [Seed] {
        try await timed("seeds") { () async throws(CatalogueError) in try await catalogue.seeds() }
    }

    func findOrCreatePictureSets(_ requests: [NewPictureSet]) async throws(CatalogueError) -> [(set: PictureSetRecord, created: Bool)] {
        try await timed("find_or_create_picture_set") { () async throws(CatalogueError) in
            try await catalogue.findOrCreatePictureSets(requests)
        }
    }

    func pictureSets(among ids: [UUID]) async throws(CatalogueError) -> [PictureSetRecord] {
        try await timed("picture_set") { () async throws(CatalogueError) in try await catalogue.pictureSets(among: ids) }
    }

    func pictureSetListings(ownerID: UUID) async throws(CatalogueError) -> [PictureSetListing] {
        try await timed("picture_set_listings") { () async throws(CatalogueError) in try await catalogue.pictureSetListings(ownerID: ownerID) }
    }

    func picture(id: UUID) async throws(CatalogueError) -> PictureRecord? {
        try await timed("picture") { () async throws(CatalogueError) in try await catalogue.picture(id: id) }
    }

    func picture(withSHA256 sha256: ContentHash, inSet setID: UUID) async throws(CatalogueError) -> PictureRecord? {
        try await timed("picture_by_hash") { () async throws(CatalogueError) in
            try await catalogue.picture(withSHA256: sha256, inSet: setID)
        }
    }

    func insertPicturesIfAbsent(_ pictures: [NewPicture]) async throws(CatalogueError) -> [PictureInsertion] {
        try await timed("insert_pictures") { () async throws(CatalogueError) in try await catalogue.insertPicturesIfAbsent(pictures) }
    }

    func pictures(inSet setID: UUID) async throws(CatalogueError) -> [PictureRecord] {
        try await timed("pictures_of_set") { () async throws(CatalogueError) in try await catalogue.pictures(inSet: setID) }
    }
}

extension CoreMetrics.Timer {
    /// Records the time since `start`.
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
