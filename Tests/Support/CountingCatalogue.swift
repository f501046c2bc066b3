import Foundation
import NachetSync
import Synchronization

/// A catalogue that counts the calls made to the one it wraps: each call is
/// one request to the catalogue (one round trip to PostgreSQL), so a test
/// can say how many a pass made without timing anything.
public final class CountingCatalogue: Catalogue {
    private let wrapped: any Catalogue
    private let counts = Mutex<[String: Int]>([:])

    public init(_ wrapped: any Catalogue) {
        self.wrapped = wrapped
    }

    /// Calls made so far, by method.
    public var calls: [String: Int] { counts.withLock { $0 } }

    /// Calls made so far, all methods together.
    public var total: Int { calls.values.reduce(0, +) }

    /// Forgets the calls counted so far.
    public func reset() { counts.withLock { $0 = [:] } }

    private func count(_ method: String) { counts.withLock { $0[method, default: 0] += 1 } }

    public var location: String { wrapped.location }

    public func close() async { await wrapped.close() }

    public func user(email: String) async throws(CatalogueError) -> CatalogueUser? {
        count("user(email:)")
        return try await wrapped.user(email: email)
    }

    public func user(id: UUID) async throws(CatalogueError) -> CatalogueUser? {
        count("user(id:)")
        return try await wrapped.user(id: id)
    }

    public func registerUser(email: String) async throws(CatalogueError) -> (user: CatalogueUser, created: Bool) {
        count("registerUser")
        return try await wrapped.registerUser(email: email)
    }

    public func seeds() async throws(CatalogueError) -> [Seed] {
        count("seeds")
        return try await wrapped.seeds()
    }

    public func findOrCreatePictureSets(_ requests: [NewPictureSet]) async throws(CatalogueError) -> [(set: PictureSetRecord, created: Bool)] {
        count("findOrCreatePictureSets")
        return try await wrapped.findOrCreatePictureSets(requests)
    }

    public func pictureSets(among ids: [UUID]) async throws(CatalogueError) -> [PictureSetRecord] {
        count("pictureSets(among:)")
        return try await wrapped.pictureSets(among: ids)
    }

    public func pictureSetListings(ownerID: UUID) async throws(CatalogueError) -> [PictureSetListing] {
        count("pictureSetListings")
        return try await wrapped.pictureSetListings(ownerID: ownerID)
    }

    public func picture(id: UUID) async throws(CatalogueError) -> PictureRecord? {
        count("picture(id:)")
        return try await wrapped.picture(id: id)
    }

    public func picture(withSHA256 sha256: ContentHash, inSet setID: UUID) async throws(CatalogueError) -> PictureRecord? {
        count("picture(withSHA256:)")
        return try await wrapped.picture(withSHA256: sha256, inSet: setID)
    }

    public func insertPicturesIfAbsent(_ pictures: [NewPicture]) async throws(CatalogueError) -> [PictureInsertion] {
        count("insertPicturesIfAbsent")
        return try await wrapped.insertPicturesIfAbsent(pictures)
    }

    public func pictures(inSet setID: UUID) async throws(CatalogueError) -> [PictureRecord] {
        count("pictures(inSet:)")
        return try await wrapped.pictures(inSet: setID)
    }

    public func pictureIDs(inSets setIDs: [UUID]) async throws(CatalogueError) -> [UUID: [UUID]] {
        count("pictureIDs(inSets:)")
        return try await wrapped.pictureIDs(inSets: setIDs)
    }

    public func identity() async throws(CatalogueError) -> String? {
        count("identity")
        return try await wrapped.identity()
    }
}
