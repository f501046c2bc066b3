import Foundation
import NachetSync
import Synchronization

/// A catalogue that counts the calls made to the one it wraps: each call is
/// one request to the catalogue (one round trip to PostgreSQL), so a test
/// can say how many a pass made without timing anything.
///
/// With a `roundTrip`, each call first waits that long, as a catalogue far
/// away answers: calls made meanwhile by other folders then gather into
/// batches as they would over a real network. `hidingIdentity` makes it a
/// catalogue that says nothing of what it is, as some managed services do.
package final class CountingCatalogue: Catalogue {
    private let wrapped: any Catalogue
    private let roundTrip: Duration
    private let hidesIdentity: Bool
    private let counts = Mutex<[String: Int]>([:])

    package init(_ wrapped: any Catalogue, roundTrip: Duration = .zero, hidingIdentity: Bool = false) {
        self.wrapped = wrapped
        self.roundTrip = roundTrip
        hidesIdentity = hidingIdentity
    }

    /// Calls made so far, by method.
    package var calls: [String: Int] { counts.withLock { $0 } }

    /// Calls made so far, all methods together.
    package var total: Int { calls.values.reduce(0, +) }

    /// Forgets the calls counted so far.
    package func reset() { counts.withLock { $0 = [:] } }

    private func count(_ method: String) async {
        counts.withLock { $0[method, default: 0] += 1 }
        if roundTrip > .zero { try? await Task.sleep(for: roundTrip) }
    }

    package var location: String { wrapped.location }

    package func close() async { await wrapped.close() }

    package func user(email: String) async throws(CatalogueError) -> CatalogueUser? {
        await count("user(email:)")
        return try await wrapped.user(email: email)
    }

    package func user(id: UUID) async throws(CatalogueError) -> CatalogueUser? {
        await count("user(id:)")
        return try await wrapped.user(id: id)
    }

    package func registerUser(email: String) async throws(CatalogueError) -> (user: CatalogueUser, created: Bool) {
        await count("registerUser")
        return try await wrapped.registerUser(email: email)
    }

    package func seeds() async throws(CatalogueError) -> [Seed] {
        await count("seeds")
        return try await wrapped.seeds()
    }

    package func findOrCreatePictureSets(_ requests: [NewPictureSet]) async throws(CatalogueError) -> [(set: PictureSetRecord, created: Bool)] {
        await count("findOrCreatePictureSets")
        return try await wrapped.findOrCreatePictureSets(requests)
    }

    package func pictureSets(among ids: [UUID]) async throws(CatalogueError) -> [PictureSetRecord] {
        await count("pictureSets(among:)")
        return try await wrapped.pictureSets(among: ids)
    }

    package func pictureSetListings(ownerID: UUID) async throws(CatalogueError) -> [PictureSetListing] {
        await count("pictureSetListings")
        return try await wrapped.pictureSetListings(ownerID: ownerID)
    }

    package func picture(id: UUID) async throws(CatalogueError) -> PictureRecord? {
        await count("picture(id:)")
        return try await wrapped.picture(id: id)
    }

    package func picture(withSHA256 sha256: ContentHash, inSet setID: UUID) async throws(CatalogueError) -> PictureRecord? {
        await count("picture(withSHA256:)")
        return try await wrapped.picture(withSHA256: sha256, inSet: setID)
    }

    package func insertPicturesIfAbsent(_ pictures: [NewPicture]) async throws(CatalogueError) -> [PictureInsertion] {
        await count("insertPicturesIfAbsent")
        return try await wrapped.insertPicturesIfAbsent(pictures)
    }

    package func pictures(inSet setID: UUID) async throws(CatalogueError) -> [PictureRecord] {
        await count("pictures(inSet:)")
        return try await wrapped.pictures(inSet: setID)
    }

    package func pictureIDs(inSets setIDs: [UUID]) async throws(CatalogueError) -> [UUID: [UUID]] {
        await count("pictureIDs(inSets:)")
        return try await wrapped.pictureIDs(inSets: setIDs)
    }

    package func identity() async throws(CatalogueError) -> String? {
        await count("identity")
        return hidesIdentity ? nil : try await wrapped.identity()
    }
}
