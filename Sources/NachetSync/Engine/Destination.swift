import Foundation

/// Where a sync puts what it finds in the drop folders: the datastore
/// itself, rows in the catalogue and bytes in the blob store
/// (``DatastoreDestination``), or a service that writes them for it.
///
/// The engine decides what to store and records what was stored; a
/// destination only answers for users, seeds and picture sets, and stores
/// one picture exactly once by its content, however often it is asked.
package protocol Destination: Sendable {
    /// Where pictures go, for messages; never holds a secret.
    var location: String { get }

    /// The durable writes this destination makes, in their order: the
    /// engine says only these to its hooks (tests stop it after each, as a
    /// kill would), so no step is said where nothing was written.
    var writeSteps: [WriteStep] { get }

    /// The user registered with `email` (compared by ``EmailKey``), or `nil`.
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

    /// How a picture's file is read for this destination (what is computed
    /// in that one read, which files are kept in memory): asked before the
    /// engine reads it (``PictureReader``).
    func stagingPlan(forSize size: Int64) -> StagingPlan

    /// Where a file's bytes are written as they are read, when the
    /// destination keeps staging files of its own; `nil` otherwise.
    func makeStagingFile(expectedSize: Int64) throws -> StagingFile?

    /// Stores a picture's content, read and hashed once by its reader, as a
    /// picture of `set`, unless the set holds one with the same bytes: then
    /// answers that one.
    ///
    /// - Parameter afterWrite: Called after each durable write (tests stop
    ///   the engine there, as a kill would).
    func store(
        _ content: FingerprintedContent,
        as picture: PictureDraft,
        in set: PictureSetRecord,
        afterWrite: @escaping @Sendable (WriteStep) throws -> Void
    ) async throws -> StoredPicture

    /// Registers a user with its `General` picture set and blob folder, as
    /// Nachet does when someone signs up; does nothing more for a known user.
    ///
    /// - Returns: The user, and whether it was created now.
    /// - Throws: An error saying where users are registered, for a
    ///   destination that registers none (Nachet's API).
    func registerUser(email: String) async throws -> (user: CatalogueUser, created: Bool)

    /// What the engine may read of the sets the destination holds, below
    /// what it answers for (their blob folders and picture rows), for the
    /// datastore check and the audit of a folder's pictures; `nil` when the
    /// destination cannot be read that way (a service, which answers for
    /// its own datastore).
    var holdings: (any SetHoldings)? { get }

    /// Where a watching agent reports how it stands (`serve`'s fleet);
    /// `nil` when the destination takes no reports (the datastore itself).
    var reports: (any AgentReportReceiver)? { get }

    /// What the destination is, read from itself (its catalogue's and blob
    /// store's own ids), so the state file's records follow it whatever
    /// address reaches it (``SyncState/recognise``): each half `nil` where
    /// the store offers nothing of the kind.
    func identity() async throws -> DestinationIdentity.Intrinsic

    /// Closes what the destination holds open (connections, files): it is
    /// done, or a reload replaces it. Nothing is called on it afterwards.
    func close() async
}

/// Read access to what a destination holds of its picture sets: the rows
/// and blobs themselves, which the engine compares with the state file
/// (``DatastoreCheck``) to find what the datastore lost.
package protocol SetHoldings: Sendable {
    /// The names of the blobs in the set's folder (`<folder>/…`, its marker
    /// included), listed at once.
    func blobNames(inFolderOf set: PictureSetRecord) async throws -> [String]

    /// The ids of the set's picture rows.
    func pictureIDs(inSet id: UUID) async throws -> [UUID]

    /// The set's pictures, with the file names they were made from.
    func pictures(inSet id: UUID) async throws -> [PictureRecord]

    /// Whether the blob of the set's picture `id` exists, looked at on its
    /// own (another agent may just have written it).
    func hasBlob(ofPicture id: UUID, in set: PictureSetRecord) async throws -> Bool
}

/// What a picture is recorded with, besides its bytes.
package struct PictureDraft: Sendable, Equatable {
    /// The image file's name in its folder.
    package var fileName: String
    package var seed: Seed
    package var zoom: Double?
    package var seedCount: Int?
    package var description: String

    package init(fileName: String, seed: Seed, zoom: Double?, seedCount: Int?, description: String) {
        self.fileName = fileName
        self.seed = seed
        self.zoom = zoom
        self.seedCount = seedCount
        self.description = description
    }
}

/// What ``Destination/store(_:as:in:afterWrite:)`` did.
package struct StoredPicture: Sendable, Equatable {
    /// The picture holding the file's bytes; `nil` when the destination
    /// does not say (Nachet's own backend answers an upload with `[true]`).
    package var pictureID: UUID?
    /// The file's SHA-256.
    package var sha256: ContentHash
    /// Whether the picture was made now (else the set held those bytes).
    package var isNew: Bool
    /// Whether an existing picture's missing blob was written now.
    package var completedBlob: Bool
    /// The file name the existing picture was made from, when not new.
    package var sameAs: String?

    package init(pictureID: UUID?, sha256: ContentHash, isNew: Bool, completedBlob: Bool = false, sameAs: String? = nil) {
        self.pictureID = pictureID
        self.sha256 = sha256
        self.isNew = isNew
        self.completedBlob = completedBlob
        self.sameAs = sameAs
    }
}

/// An error a destination throws that stops a whole pass, not one file: a
/// store that cannot be reached, a key refused, a disk full.
package protocol PassStoppingError: Error, CustomStringConvertible {
    /// Whether every later file would fail the same way.
    var affectsEveryFile: Bool { get }
    /// Whether retrying later may succeed by itself, without a person.
    var isTransient: Bool { get }
}

extension CatalogueError: PassStoppingError {
    package var isTransient: Bool { code == .unavailable }
}

extension BlobStoreError: PassStoppingError {
    package var isTransient: Bool { code != .denied }
}
