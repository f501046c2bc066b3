import Foundation
import NachetSync
import Synchronization

/// A catalogue that counts the calls made to the one it wraps: each call is
/// one request to the catalogue (one round trip to PostgreSQL), so a test
/// can say how many a pass made without timing anything.
package final class CountingCatalogue: Catalogue {
    private let wrapped: any Catalogue
    private let counts = Mutex<[String: Int]>([:])

    package init(_ wrapped: any Catalogue) {
        self.wrapped = wrapped
    }

    /// Calls made so far, by method.
    package var calls: [String: Int] { counts.withLock { $0 } }

    /// Calls made so far, all methods together.
    package var total: Int { calls.values.reduce(0, +) }

    /// Forgets the calls counted so far.
    package func reset() { counts.withLock { $0 = [:] } }

    private func count(_ method: String) { counts.withLock { $0[method, default: 0] += 1 } }

    package var location: String { wrapped.location }

    package func close() async { await wrapped.close() }

    package func user(email: String) async throws(CatalogueError) -> CatalogueUser? {
        count("user(email:)")
        return try await wrapped.user(email: email)
    }

    package func user(id: UUID) async throws(CatalogueError) -> CatalogueUser? {
        count("user(id:)")
        return try await wrapped.user(id: id)
    }

    package func registerUser(email: String) async throws(CatalogueError) -> (user: CatalogueUser, created: Bool) {
        count("registerUser")
        return try await wrapped.registerUser(email: email)
    }

    package func seeds() async throws(CatalogueError) -> [Seed] {
        count("seeds")
        return try await wrapped.seeds()
    }

    package func findOrCreatePictureSet(_ request: NewPictureSet) async throws(CatalogueError) -> (set: PictureSetRecord, created: Bool) {
        count("findOrCreatePictureSet")
        return try await wrapped.findOrCreatePictureSet(request)
    }

    package func pictureSet(id: UUID) async throws(CatalogueError) -> PictureSetRecord? {
        count("pictureSet(id:)")
        return try await wrapped.pictureSet(id: id)
    }

    package func existingPictureSets(among ids: [UUID]) async throws(CatalogueError) -> Set<UUID> {
        count("existingPictureSets")
        return try await wrapped.existingPictureSets(among: ids)
    }

    package func pictureSetListings(ownerID: UUID) async throws(CatalogueError) -> [PictureSetListing] {
        count("pictureSetListings")
        return try await wrapped.pictureSetListings(ownerID: ownerID)
    }

    package func picture(id: UUID) async throws(CatalogueError) -> PictureRecord? {
        count("picture(id:)")
        return try await wrapped.picture(id: id)
    }

    package func picture(withSHA256 sha256: ContentHash, inSet setID: UUID) async throws(CatalogueError) -> PictureRecord? {
        count("picture(withSHA256:)")
        return try await wrapped.picture(withSHA256: sha256, inSet: setID)
    }

    package func insertPicturesIfAbsent(_ pictures: [NewPicture]) async throws(CatalogueError) -> [PictureInsertion] {
        count("insertPicturesIfAbsent")
        return try await wrapped.insertPicturesIfAbsent(pictures)
    }

    package func pictures(inSet setID: UUID) async throws(CatalogueError) -> [PictureRecord] {
        count("pictures(inSet:)")
        return try await wrapped.pictures(inSet: setID)
    }

    package func pictureIDs(inSet setID: UUID) async throws(CatalogueError) -> [UUID] {
        count("pictureIDs(inSet:)")
        return try await wrapped.pictureIDs(inSet: setID)
    }
}
