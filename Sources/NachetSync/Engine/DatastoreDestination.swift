import Foundation
import NIOCore

/// The datastore itself as a sync's destination: rows in the catalogue,
/// bytes in the blob store, written in the order that makes a crash anywhere
/// harmless (``store(_:as:in:afterWrite:)``), with the rows of pictures
/// stored at about the same time sent to the catalogue in one batch.
public struct DatastoreDestination: Destination {
    public let catalogue: any Catalogue
    public let blobStore: any BlobStore
    /// Gathers the picture rows of one set asked for at about the same time
    /// into one catalogue transaction: one round trip for many pictures
    /// when the catalogue is far away.
    private let rows: BatchQueue<UUID, NewPicture, PictureInsertion>
    /// Bounds the files hashed at once (all cores but one).
    private let hashingPermits: AsyncPermits
    /// Bounds the bytes of small files held in memory between their read and
    /// their upload, in MiB.
    private let keptMemory: AsyncPermits

    /// Files hashed at the same time: all cores but one, which is left to
    /// the uploads (sending, and the service's checks when it runs on this
    /// machine). Hashing is CPU-bound, so more at once would finish no
    /// sooner, and would hold every file's upload back until all of them
    /// are hashed; this way a file is sent while the next one is hashed.
    static var filesHashedAtOnce: Int {
        max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    }

    /// Files up to this size are read into memory whole when hashed, and
    /// sent from that memory by stores that send bytes over the network:
    /// they are read once and hashed once.
    static let keptFileSize = 4 << 20

    /// The memory those files may hold at once, in MiB: with many pictures
    /// in flight (a far datastore), this is what bounds the memory.
    static let keptMemoryMiB = 16

    /// The most picture rows sent in one transaction.
    static let rowsPerBatch = 64

    public init(catalogue: any Catalogue, blobStore: any BlobStore) {
        self.catalogue = catalogue
        self.blobStore = blobStore
        rows = BatchQueue(maximumBatch: Self.rowsPerBatch) { _, pictures in
            try await catalogue.insertPicturesIfAbsent(pictures)
        }
        hashingPermits = AsyncPermits(Self.filesHashedAtOnce)
        keptMemory = AsyncPermits(Self.keptMemoryMiB)
    }

    public var location: String { "\(catalogue.location), \(blobStore.location)" }

    /// Closes the catalogue (the blob store holds nothing open between calls).
    public func close() async { await catalogue.close() }

    public func user(email: String) async throws -> CatalogueUser? { try await catalogue.user(email: email) }

    public func user(id: UUID) async throws -> CatalogueUser? { try await catalogue.user(id: id) }

    public func seeds() async throws -> [Seed] { try await catalogue.seeds() }

    public func pictureSet(id: UUID) async throws -> PictureSetRecord? { try await catalogue.pictureSet(id: id) }

    public func existingPictureSets(among ids: [UUID], owners: [UUID: UUID] = [:]) async throws -> Set<UUID> {
        try await catalogue.existingPictureSets(among: ids)
    }

    public func findOrCreatePictureSet(_ request: NewPictureSet) async throws -> (set: PictureSetRecord, created: Bool) {
        try await catalogue.findOrCreatePictureSet(request)
    }

    /// Registers a user with its `General` picture set and blob folder, as
    /// Nachet does when someone signs up; does nothing more for a known user.
    /// - Returns: The user, and whether it was created now.
    public func registerUser(email: String) async throws -> (user: CatalogueUser, created: Bool) {
        let (user, created) = try await catalogue.registerUser(email: email)
        if let setID = user.defaultSetID {
            try await prepareFolder(of: PictureSetRecord(id: setID, ownerID: user.id, name: BlobLayout.defaultFolderName, numberOfImages: 0))
        }
        return (user, created)
    }

    /// Creates the owner's container when missing and writes the folder
    /// marker `<folder>/<folder>.json` unless it exists.
    public func prepareFolder(of set: PictureSetRecord) async throws {
        try await blobStore.createContainerIfMissing(BlobLayout.container(forUser: set.ownerID))
        let marker = FolderMarkerDocument(folderName: set.folderName, setID: set.id).data
        _ = try await blobStore.putIfAbsent(
            BlobLayout.folderMarker(folder: set.folderName, user: set.ownerID),
            content: .data(marker),
            properties: BlobUploadProperties(sha256: SHA256Digest.hash(marker), tags: BlobLayout.folderMarkerTags(setID: set.id))
        )
    }

    /// Stores one image file as a picture of the set.
    ///
    /// The writes happen in this order, which is what makes a crash anywhere
    /// harmless:
    ///
    /// 1. **stage**: the bytes are hashed and put where the blob store keeps
    ///    bytes not yet committed (the local store's staging folder, written
    ///    while hashing so a file is read once; Azure's uncommitted blocks, or
    ///    memory for small files), each checked to be the bytes hashed.
    ///    Nothing visible is written: a crash here loses only the work, and a
    ///    file that changes meanwhile fails here, before any row names it.
    ///    Before staging, a store that sends bytes over the network has the
    ///    file hashed, and a copy of a picture the set holds is found by its
    ///    hash and never sent.
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
    public func store(
        _ file: SourceFile,
        as picture: PictureDraft,
        in set: PictureSetRecord,
        afterWrite: @escaping @Sendable (WriteStep) throws -> Void
    ) async throws -> StoredPicture {
        let pictureID = UUID()
        let blob = BlobLayout.picture(pictureID, folder: set.folderName, user: set.ownerID)
        let size = file.signature.size
        let kept = !blobStore.hashesWhileStaging && size <= Int64(Self.keptFileSize)
        // Small files are held in memory from their read to their upload:
        // the memory they may hold at once is bounded, whatever the number
        // of pictures in flight.
        let memory = kept ? Int((size + (1 << 20) - 1) >> 20) : 0
        if memory > 0 { await keptMemory.acquire(memory) }
        defer { if memory > 0 { keptMemory.release(memory) } }

        let staged: StagedBlob
        if blobStore.hashesWhileStaging {
            staged = try await hashingPermits.withPermit { try await blobStore.stage(.file(file), for: blob) }
        } else {
            let pieceSize = blobStore.uploadPieceSize(forFileOfSize: size)
            let fingerprint = try await hashingPermits.withPermit {
                try await BlockingWork.run {
                    try FileContent(file: file).fingerprint(pieceSize: pieceSize, keepingUpTo: kept ? Self.keptFileSize : 0)
                }
            }
            let content = BlobContent.hashedFile(fingerprint, file)
            if blobStore.stagingSendsBytes(forFileOfSize: size),
                let existing = try await catalogue.picture(withSHA256: fingerprint.sha256, inSet: set.id)
            {
                // A copy of a picture the set holds: no byte is sent, unless
                // its blob is missing.
                let completed = try await completeBlob(of: existing, in: set, sha256: fingerprint.sha256) {
                    try await blobStore.stage(content, for: blob)
                }
                try afterWrite(.pictureBlob)
                return StoredPicture(
                    pictureID: existing.id, sha256: fingerprint.sha256, isNew: false, completedBlob: completed, sameAs: existing.fileName)
            }
            staged = try await blobStore.stage(content, for: blob)
        }
        return try await record(staged, pictureID: pictureID, blob: blob, picture: picture, in: set, afterWrite: afterWrite)
    }

    /// Stores bytes received in memory, which hash to `sha256`, as a picture
    /// of the set (an upload to `nachet-sync serve`, hashed as it arrived):
    /// the steps of ``store(_:as:in:afterWrite:)``, the bytes staged from
    /// that memory and hashed no second time.
    ///
    /// Only for sizes whose staging sends no bytes
    /// (``BlobStore/stagingSendsBytes(forFileOfSize:)`` is `false`).
    public func store(_ bytes: ByteBuffer, sha256: ContentHash, as picture: PictureDraft, in set: PictureSetRecord) async throws -> StoredPicture {
        let pictureID = UUID()
        let blob = BlobLayout.picture(pictureID, folder: set.folderName, user: set.ownerID)
        // As many at once as files the agent stages while hashing them:
        // more would only contend for the staging folder.
        let staged = try await hashingPermits.withPermit { try await blobStore.stage(.hashedBytes(bytes, sha256: sha256), for: blob) }
        return try await record(staged, pictureID: pictureID, blob: blob, picture: picture, in: set) { _ in }
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
            let insertion = try await rows.submit(
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
                ),
                key: set.id
            )
            try afterWrite(.pictureRow)
            let row = insertion.record
            var completed = false
            if insertion.wasInserted {
                _ = try await blobStore.commit(staged, as: blob, tags: BlobLayout.pictureTags(pictureID: row.id, setID: set.id))
            } else {
                completed = try await completeBlob(of: row, in: set, sha256: staged.sha256) { staged }
                if !completed { await blobStore.discard(staged) }
            }
            try afterWrite(.pictureBlob)
            return StoredPicture(
                pictureID: row.id, sha256: staged.sha256, isNew: insertion.wasInserted, completedBlob: completed,
                sameAs: insertion.wasInserted ? nil : row.fileName)
        } catch {
            await blobStore.discard(staged)
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
            return try await blobStore.commit(staged, as: blob, tags: BlobLayout.pictureTags(pictureID: picture.id, setID: set.id))
                == .created
        } catch {
            await blobStore.discard(staged)
            throw error
        }
    }
}
