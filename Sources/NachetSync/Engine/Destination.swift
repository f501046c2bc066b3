import Foundation

/// Where a sync puts what it finds in the drop folders: the datastore
/// itself, rows in the catalogue and bytes in the blob store
/// (``DatastoreDestination``), or a service that writes them for it.
///
/// The engine decides what to store and records what was stored; a
/// destination only answers for users, seeds and picture sets, and stores
/// one picture exactly once by its content, however often it is asked.
public protocol Destination: Sendable {
    /// Where pictures go, for messages; never holds a secret.
    var location: String { get }

    /// The user registered with `email` (compared without case), or `nil`.
    func user(email: String) async throws -> CatalogueUser?

    /// The user with `id`, or `nil`.
    func user(id: UUID) async throws -> CatalogueUser?

    /// The seed catalogue.
    func seeds() async throws -> [Seed]

    /// The picture set with `id`, or `nil` when it is gone.
    func pictureSet(id: UUID) async throws -> PictureSetRecord?

    /// Which of the sets `ids` still exist, asked at once: how a pass over
    /// folders that did not change checks their sets are still there.
    ///
    /// - Parameter owners: The owner of each set, where the state file
    ///   knows it (a service asked over HTTP lists sets by owner).
    func existingPictureSets(among ids: [UUID], owners: [UUID: UUID]) async throws -> Set<UUID>

    /// The owner's picture set named `request.name`, created when missing.
    func findOrCreatePictureSet(_ request: NewPictureSet) async throws -> (set: PictureSetRecord, created: Bool)

    /// Makes the set's folder where its pictures go (the marker blob
    /// `<folder>/<folder>.json`), unless it exists.
    func prepareFolder(of set: PictureSetRecord) async throws

    /// Stores the open file as a picture of `set`, unless the set holds
    /// one with the same bytes: then answers that one.
    ///
    /// - Parameter afterWrite: Called after each durable write (tests stop
    ///   the engine there, as a kill would).
    func store(
        _ file: SourceFile,
        as picture: PictureDraft,
        in set: PictureSetRecord,
        afterWrite: @escaping @Sendable (WriteStep) throws -> Void
    ) async throws -> StoredPicture

    /// Closes what the destination holds open (connections, files): it is
    /// done, or a reload replaces it. Nothing is called on it afterwards.
    func close() async
}

/// What a picture is recorded with, besides its bytes.
public struct PictureDraft: Sendable, Equatable {
    /// The image file's name in its folder.
    public var fileName: String
    public var seed: Seed
    public var zoom: Double?
    public var seedCount: Int?
    public var description: String

    public init(fileName: String, seed: Seed, zoom: Double?, seedCount: Int?, description: String) {
        self.fileName = fileName
        self.seed = seed
        self.zoom = zoom
        self.seedCount = seedCount
        self.description = description
    }
}

/// What ``Destination/store(_:as:in:afterWrite:)`` did.
public struct StoredPicture: Sendable, Equatable {
    /// The picture holding the file's bytes; `nil` when the destination
    /// does not say (Nachet's own backend answers an upload with `[true]`).
    public var pictureID: UUID?
    /// The file's SHA-256.
    public var sha256: ContentHash
    /// Whether the picture was made now (else the set held those bytes).
    public var isNew: Bool
    /// Whether an existing picture's missing blob was written now.
    public var completedBlob: Bool
    /// The file name the existing picture was made from, when not new.
    public var sameAs: String?

    public init(pictureID: UUID?, sha256: ContentHash, isNew: Bool, completedBlob: Bool = false, sameAs: String? = nil) {
        self.pictureID = pictureID
        self.sha256 = sha256
        self.isNew = isNew
        self.completedBlob = completedBlob
        self.sameAs = sameAs
    }
}

/// An error a destination throws that stops a whole pass, not one file: a
/// store that cannot be reached, a key refused, a disk full.
public protocol PassStoppingError: Error, CustomStringConvertible {
    /// Whether every later file would fail the same way.
    var affectsEveryFile: Bool { get }
    /// Whether retrying later may succeed by itself, without a person.
    var isTransient: Bool { get }
}

extension CatalogueError: PassStoppingError {
    public var isTransient: Bool { code == .unavailable }
}

extension BlobStoreError: PassStoppingError {
    public var isTransient: Bool { code != .denied }
}
