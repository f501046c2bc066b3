import Foundation
import NIOCore
import Synchronization

/// The datastore itself as a sync's destination: rows in the catalogue,
/// bytes in the blob store, written in the order that makes a crash anywhere
/// harmless (``store(_:as:in:afterWrite:)``), with the rows of pictures
/// stored at about the same time sent to the catalogue in one batch.
package struct DatastoreDestination: Destination, SetHoldings {
    package let catalogue: any Catalogue
    package let blobStore: any BlobStore
    /// Gathers the set-level calls and picture rows asked for at about the
    /// same time into one catalogue transaction each: one round trip for
    /// many sets or pictures when the catalogue is far away.
    private let batches: CatalogueBatches
    /// Bounds the pictures staged at once: as many as files the agent
    /// reads at once (``PictureReader``); more would only contend for the
    /// staging folder (`serve` stages uploads from memory here).
    private let stagingPermits: AsyncPermits
    /// The containers made sure of since the destination was opened, so a
    /// set's folder costs its marker alone.
    private let containers = KnownContainers()

    package init(catalogue: any Catalogue, blobStore: any BlobStore) {
        self.catalogue = catalogue
        self.blobStore = blobStore
        batches = CatalogueBatches(catalogue: catalogue)
        stagingPermits = AsyncPermits(PictureReader.filesReadAtOnce)
    }

    package var location: String { "\(catalogue.location), \(blobStore.location)" }

    /// Every step: the rows and blobs are written one by one.
    package var writeSteps: [WriteStep] { WriteStep.allCases }

    /// The blob store's: it decides what is computed while a file is read.
    package func stagingPlan(forSize size: Int64) -> StagingPlan { blobStore.stagingPlan(forSize: size) }

    package func makeStagingFile(expectedSize: Int64) throws -> StagingFile? { try blobStore.makeStagingFile(expectedSize: expectedSize) }

    /// The catalogue's and the blob store's own ids.
    package func identity() async throws -> DestinationIdentity.Intrinsic {
        DestinationIdentity.Intrinsic(catalogue: try await catalogue.identity(), blobStore: try await blobStore.identity())
    }

    /// Closes the catalogue (the blob store holds nothing open between calls).
    package func close() async { await catalogue.close() }

    package func user(email: String) async throws -> CatalogueUser? { try await catalogue.user(email: email) }

    package func user(id: UUID) async throws -> CatalogueUser? { try await catalogue.user(id: id) }

    package func seeds() async throws -> [Seed] { try await catalogue.seeds() }

    package func pictureSet(id: UUID) async throws -> PictureSetRecord? { try await batches.pictureSet(id: id) }

    package func existingPictureSets(among ids: [UUID], owners: [UUID: UUID] = [:]) async throws -> Set<UUID> {
        try await catalogue.existingPictureSets(among: ids)
    }

    package func findOrCreatePictureSet(_ request: NewPictureSet) async throws -> (set: PictureSetRecord, created: Bool) {
        try await batches.findOrCreatePictureSet(request)
    }

    package func registerUser(email: String) async throws -> (user: CatalogueUser, created: Bool) {
        let (user, created) = try await catalogue.registerUser(email: email)
        if let setID = user.defaultSetID {
            try await prepareFolder(of: PictureSetRecord(id: setID, ownerID: user.id, name: BlobLayout.defaultFolderName, numberOfImages: 0))
        }
        return (user, created)
    }

    /// The datastore itself: its rows and blobs can be read.
    package var holdings: (any SetHoldings)? { self }

    /// None: no server watches an agent that writes the datastore itself.
    package var reports: (any AgentReportReceiver)? { nil }

    package func blobNames(inFolderOf set: PictureSetRecord) async throws -> [String] {
        try await blobStore.blobNames(in: BlobLayout.container(forUser: set.ownerID), prefix: set.folderName + "/")
    }

    package func pictureIDs(inSet id: UUID) async throws -> [UUID] { try await batches.pictureIDs(inSet: id) }

    package func pictures(inSet id: UUID) async throws -> [PictureRecord] { try await catalogue.pictures(inSet: id) }

    package func hasBlob(ofPicture id: UUID, in set: PictureSetRecord) async throws -> Bool {
        try await blobStore.properties(of: BlobLayout.picture(id, folder: set.folderName, user: set.ownerID)) != nil
    }

    /// Creates the owner's container when missing (once per container while
    /// the destination is open) and writes the folder marker
    /// `<folder>/<folder>.json` unless it exists.
    package func prepareFolder(of set: PictureSetRecord) async throws {
        let container = BlobLayout.container(forUser: set.ownerID)
        if !containers.contains(container) {
            try await blobStore.createContainerIfMissing(container)
            containers.insert(container)
        }
        let marker = FingerprintedContent(data: FolderMarkerDocument(folderName: set.folderName, setID: set.id).data)
        do {
            _ = try await blobStore.putIfAbsent(
                BlobLayout.folderMarker(folder: set.folderName, user: set.ownerID),
                content: marker,
                properties: BlobUploadProperties(sha256: marker.sha256, tags: BlobLayout.folderMarkerTags(setID: set.id))
            )
        } catch {
            // The container may have been removed since: made again next time.
            containers.remove(container)
            throw error
        }
    }

    /// Stores a picture's content, read and hashed once by its reader
    /// (``FingerprintedContent``: a drop folder's file, or an upload to
    /// `serve`), as a picture of the set.
    ///
    /// The writes happen in this order, which is what makes a crash anywhere
    /// harmless:
    ///
    /// 1. **stage**: the bytes are put where the blob store keeps bytes not
    ///    yet committed (the local store's staging file, written while the
    ///    file was read and hashed, so it is read once; Azure's uncommitted
    ///    blocks, each checked against the checksum taken when hashing, or
    ///    memory for small files). Nothing visible is written: a crash here
    ///    loses only the work, and a file that changed since it was hashed
    ///    fails here, before any row names it. A store that sends bytes over
    ///    the network first has a copy of a picture the set holds found by
    ///    its hash, and never sent.
    /// 2. **row**: insert the `picture` row, unless the set already has one
    ///    with this SHA-256, in one catalogue transaction, together with the
    ///    rows of other pictures of the set staged at about the same time
    ///    (``BatchQueue``). The transaction takes the set's row lock first,
    ///    so batches of two agents on one set are serialised and neither
    ///    inserts bytes the other committed; a batch is all or nothing, so a
    ///    crash leaves each of its pictures with its row or none. The hash is
    ///    the key: a crash after this point and a re-run find the row again
    ///    instead of inserting a second one, whatever the file is called now.
    /// 3. **commit**: the staged bytes become the blob `<folder>/<picture id>`,
    ///    if absent, in one step that reads no file, so it cannot fail because
    ///    the file changed. A crash between 2 and 3 leaves a row without its
    ///    blob only until the next pass: step 2 then returns the existing row,
    ///    its blob is looked at, found missing, and committed from the file.
    ///    A blob is only ever committed after its row, so it is never orphaned.
    ///
    /// The caller records the file as stored last (the state file): a crash
    /// before that only means the file is read again; steps 2 and 3 then
    /// write nothing.
    package func store(
        _ content: FingerprintedContent,
        as picture: PictureDraft,
        in set: PictureSetRecord,
        afterWrite: @escaping @Sendable (WriteStep) throws -> Void
    ) async throws -> StoredPicture {
        let pictureID = UUID()
        let blob = BlobLayout.picture(pictureID, folder: set.folderName, user: set.ownerID)
        if stagingPlan(forSize: content.size).sendsBytes,
            let existing = try await catalogue.picture(withSHA256: content.sha256, inSet: set.id)
        {
            // A copy of a picture the set holds: no byte is sent, unless
            // its blob is missing.
            let completed = try await completeBlob(of: existing, in: set, sha256: content.sha256) {
                try await blobStore.stage(content, for: blob)
            }
            try afterWrite(.pictureBlob)
            return StoredPicture(pictureID: existing.id, sha256: content.sha256, isNew: false, completedBlob: completed, sameAs: existing.fileName)
        }
        let staged = try await stagingPermits.withPermit { try await blobStore.stage(content, for: blob) }
        return try await record(staged, pictureID: pictureID, blob: blob, picture: picture, in: set, afterWrite: afterWrite)
    }

    /// Steps 2 and 3 of ``store(_:as:in:afterWrite:)`` for bytes staged as
    /// `blob`: the row (batched), then the commit; the staged bytes are
    /// discarded when they are not committed.
    private func record(
        _ staged: StagedBlob,
        pictureID: UUID,
        blob: BlobReference,
        picture: PictureDraft,
        in set: PictureSetRecord,
        afterWrite: @escaping @Sendable (WriteStep) throws -> Void
    ) async throws -> StoredPicture {
        do {
            try afterWrite(.staged)
            let insertion = try await batches.insertPictureIfAbsent(
                NewPicture(
                    id: pictureID,
                    setID: set.id,
                    seedID: picture.seed.id,
                    document: PictureDocument(
                        link: blobStore.url(of: blob),
                        seedCount: picture.seedCount,
                        zoom: picture.zoom,
                        description: picture.description,
                        sha256: staged.sha256,
                        fileName: picture.fileName
                    )
                )
            )
            try afterWrite(.pictureRow)
            let row = insertion.record
            var completed = false
            if insertion.wasInserted {
                _ = try await staged.commit(as: blob, tags: BlobLayout.pictureTags(pictureID: row.id, setID: set.id))
            } else {
                completed = try await completeBlob(of: row, in: set, sha256: staged.sha256) { staged }
                if !completed { await staged.discard() }
            }
            try afterWrite(.pictureBlob)
            return StoredPicture(
                pictureID: row.id, sha256: staged.sha256, isNew: insertion.wasInserted, completedBlob: completed,
                sameAs: insertion.wasInserted ? nil : row.fileName)
        } catch {
            await staged.discard()
            throw error
        }
    }

    /// Makes sure `picture`, a picture of the set found by its hash, has its
    /// blob: looks at it, and commits the bytes `stage` gives only when the
    /// blob is missing (a crash between an earlier row and its blob).
    /// - Returns: Whether a blob was written.
    private func completeBlob(
        of picture: PictureRecord,
        in set: PictureSetRecord,
        sha256: ContentHash,
        stage: () async throws -> StagedBlob
    ) async throws -> Bool {
        let blob = BlobLayout.picture(picture.id, folder: set.folderName, user: set.ownerID)
        if let properties = try await blobStore.properties(of: blob) {
            if let stored = properties.sha256, stored != sha256 {
                throw BlobStoreError(
                    .failed,
                    "blob \(blob) holds other bytes (SHA-256 \(stored.hex.prefix(12))…) than its picture row says; it was changed outside nachet-sync — delete that blob so the agent stores it again"
                )
            }
            return false
        }
        let staged = try await stage()
        do {
            guard staged.sha256 == sha256 else { throw BlobStoreError.contentChanged(actual: staged.sha256, expected: sha256) }
            return try await staged.commit(as: blob, tags: BlobLayout.pictureTags(pictureID: picture.id, setID: set.id))
                == .created
        } catch {
            await staged.discard()
            throw error
        }
    }
}

/// The blob containers a destination made sure of.
private final class KnownContainers: Sendable {
    private let names = Mutex<Set<String>>([])

    func contains(_ name: String) -> Bool { names.withLock { $0.contains(name) } }

    func insert(_ name: String) { _ = names.withLock { $0.insert(name) } }

    func remove(_ name: String) { _ = names.withLock { $0.remove(name) } }
}
