import Foundation
import NIOCore

/// Where bytes go: containers of blobs, laid out as Nachet lays them out in
/// Azure Blob Storage (``BlobLayout``).
///
/// Implementations: ``LocalBlobStore`` (the embedded default) and
/// ``AzureBlobStore``. Every implementation passes the same contract test
/// suite.
///
/// A blob is written in two steps, so that its picture row can go in
/// between: ``stage(_:for:)`` moves content already fingerprinted
/// (``FingerprintedContent``: hashed once, by its reader) where the store
/// keeps bytes invisible to Nachet (a staging file; uncommitted blocks),
/// and hands back an opaque ``StagedBlob``; ``StagedBlob/commit(as:tags:)``
/// then makes them the blob, in one atomic step that reads no file. A file
/// that changes while it is stored fails at staging, before any row names it.
package protocol BlobStore: Sendable {
    /// Where the blobs live, for messages; never holds a key or a SAS.
    var location: String { get }

    /// Creates `container` unless it exists.
    func createContainerIfMissing(_ container: String) async throws(BlobStoreError)

    /// How content of `size` bytes is to be read for this store: the piece
    /// checksums it sends, whether staging sends the bytes, which files are
    /// kept in memory.
    func stagingPlan(forSize size: Int64) -> StagingPlan

    /// A file of the store's own for a file's bytes to be written into as
    /// they are read (``FingerprintedContent/read(_:plan:into:)``), so the
    /// file is read once; `nil` for a store that keeps no staging files.
    func makeStagingFile(expectedSize: Int64) throws(BlobStoreError) -> StagingFile?

    /// Moves `content` where the store keeps bytes not yet committed, for
    /// the blob `blob`, hashing nothing: bytes kept in memory or written to
    /// its staging file are the bytes hashed; bytes still in a file are read
    /// again with the piece checksums taken when hashing (the service checks
    /// each), or copied, and the file must not have changed since it was
    /// hashed. A file that changed fails with
    /// ``BlobStoreError/Code-swift.struct/contentChanged``.
    ///
    /// - Returns: The staged bytes, to commit or discard.
    func stage(_ content: FingerprintedContent, for blob: BlobReference) async throws(BlobStoreError) -> StagedBlob

    /// Up to `length` bytes of the blob from `offset` (fewer at its end,
    /// none past it), or `nil` when the blob does not exist: how a blob is
    /// read back in pieces, so memory stays flat whatever its size.
    func read(_ blob: BlobReference, offset: Int64, length: Int) async throws(BlobStoreError) -> ByteBuffer?

    /// The blob's properties, or `nil` when it does not exist.
    func properties(of blob: BlobReference) async throws(BlobStoreError) -> BlobProperties?

    /// The names of the blobs of `container` that start with `prefix`, every
    /// level below it included, in name order; none when the container does
    /// not exist.
    ///
    /// The datastore check lists each set's folder (`<folder>/`) this way,
    /// once per check, instead of asking about each picture's blob.
    func blobNames(in container: String, prefix: String) async throws(BlobStoreError) -> [String]

    /// Replaces the blob's index tags.
    func setTags(_ tags: [String: String], on blob: BlobReference) async throws(BlobStoreError)

    /// The URL Nachet stores as a picture's `link`.
    func url(of blob: BlobReference) -> String

    /// What the store is, whatever endpoint or path reaches it
    /// (``DestinationIdentity``): `nil` when it offers nothing of the kind
    /// (then it is known by where it is).
    func identity() async throws(BlobStoreError) -> String?
}

extension BlobStore {
    package func makeStagingFile(expectedSize: Int64) throws(BlobStoreError) -> StagingFile? { nil }

    /// Reads the open `file` once for this store (its ``stagingPlan(forSize:)``,
    /// into its staging file when it keeps them), on the blocking pool.
    package func fingerprint(_ file: SourceFile) async throws -> FingerprintedContent {
        let plan = stagingPlan(forSize: file.signature.size)
        let staging = file.signature.size > Int64(plan.keepsInMemoryUpTo) ? try makeStagingFile(expectedSize: file.signature.size) : nil
        return try await BlockingWork.run { try FingerprintedContent.read(file, plan: plan, into: staging) }
    }

    /// Stores `content` as `blob` unless a blob of that name exists: checks
    /// it hashed to `properties.sha256`, stages it and commits it.
    package func putIfAbsent(
        _ blob: BlobReference,
        content: FingerprintedContent,
        properties: BlobUploadProperties
    ) async throws(BlobStoreError) -> BlobPutOutcome {
        guard content.sha256 == properties.sha256 else {
            throw BlobStoreError.contentChanged(actual: content.sha256, expected: properties.sha256)
        }
        let staged = try await stage(content, for: blob)
        do throws(BlobStoreError) {
            return try await staged.commit(as: blob, tags: properties.tags)
        } catch {
            await staged.discard()
            throw error
        }
    }
}

/// Bytes a store holds for a blob, not yet committed (``BlobStore/stage(_:for:)``):
/// opaque to everyone but the store that staged them, which alone commits
/// or discards them.
package struct StagedBlob: Sendable {
    /// The SHA-256 of the staged bytes.
    package let sha256: ContentHash
    /// How many bytes.
    package let size: Int64
    /// The blob they were staged for.
    package let blob: BlobReference
    private let committing: @Sendable (BlobReference, [String: String]) async throws(BlobStoreError) -> BlobPutOutcome
    private let discarding: @Sendable () async -> Void

    /// Staged bytes that `commit` makes a blob and `discard` forgets; made
    /// by the store that holds them.
    package init(
        sha256: ContentHash,
        size: Int64,
        blob: BlobReference,
        commit: @escaping @Sendable (BlobReference, [String: String]) async throws(BlobStoreError) -> BlobPutOutcome,
        discard: @escaping @Sendable () async -> Void = {}
    ) {
        self.sha256 = sha256
        self.size = size
        self.blob = blob
        committing = commit
        discarding = discard
    }

    /// Makes the staged bytes the blob `blob`, tagged with `tags` and holding
    /// their SHA-256 as metadata, unless a blob of that name exists. Reads no
    /// source file. `blob` may differ from the blob they were staged for
    /// (another picture of the set had those bytes first).
    package func commit(as blob: BlobReference, tags: [String: String]) async throws(BlobStoreError) -> BlobPutOutcome {
        try await committing(blob, tags)
    }

    /// Forgets bytes that will not be committed.
    package func discard() async {
        await discarding()
    }

    /// The same staged bytes, their commit and discard wrapped (timed, say).
    package func wrapping(
        commit: @escaping @Sendable (BlobReference, [String: String], StagedBlob) async throws(BlobStoreError) -> BlobPutOutcome
    ) -> StagedBlob {
        let inner = self
        return StagedBlob(sha256: sha256, size: size, blob: blob, commit: { blob, tags throws(BlobStoreError) in try await commit(blob, tags, inner) }, discard: discarding)
    }
}

/// A blob's address: its container and its name inside it.
package struct BlobReference: Sendable, Hashable, CustomStringConvertible {
    package var container: String
    package var name: String

    package init(container: String, name: String) {
        self.container = container
        self.name = name
    }

    package var description: String { container + "/" + name }
}

/// What is stored with a blob besides its bytes.
package struct BlobUploadProperties: Sendable, Hashable {
    /// The SHA-256 the bytes must have; kept as metadata `sha256`.
    package var sha256: ContentHash
    /// Blob index tags (`picture_uuid`, `picture_set_uuid`).
    package var tags: [String: String]

    package init(sha256: ContentHash, tags: [String: String]) {
        self.sha256 = sha256
        self.tags = tags
    }
}

/// What a blob store says of an existing blob.
package struct BlobProperties: Sendable, Hashable, Codable {
    package var contentLength: Int64
    /// The `sha256` metadata, when the blob has it.
    package var sha256: ContentHash?
    package var tags: [String: String]

    package init(contentLength: Int64, sha256: ContentHash?, tags: [String: String]) {
        self.contentLength = contentLength
        self.sha256 = sha256
        self.tags = tags
    }
}

/// The outcome of ``BlobStore/putIfAbsent(_:content:properties:)``.
package enum BlobPutOutcome: Sendable, Hashable {
    /// The blob was stored.
    case created
    /// A blob of that name was there already; nothing was written.
    case alreadyExists
}

extension ContentHash: Codable {
    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let hash = ContentHash(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a SHA-256"))
        }
        self = hash
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
