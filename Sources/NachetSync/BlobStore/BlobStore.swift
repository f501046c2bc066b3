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
/// between: ``stage(_:for:)`` moves the bytes where the store keeps them,
/// invisible to Nachet (a staging folder; uncommitted blocks), and checks
/// they are the bytes hashed; ``commit(_:as:tags:)`` then makes them the
/// blob, in one atomic step that reads no file. A file that changes while
/// it is stored fails at staging, before any row names it.
public protocol BlobStore: Sendable {
    /// Where the blobs live, for messages; never holds a key or a SAS.
    var location: String { get }

    /// Creates `container` unless it exists.
    func createContainerIfMissing(_ container: String) async throws(BlobStoreError)

    /// Whether ``stage(_:for:)`` takes a file the engine has not hashed
    /// (``BlobContent/file(_:)``) and hashes it while writing it: then a file
    /// is read once. Stores that send bytes over a network want them hashed
    /// first, so that a copy of a picture already stored is never sent.
    var hashesWhileStaging: Bool { get }

    /// Whether staging a file of `size` bytes sends them over the network
    /// (Azure blocks): the engine then first looks for a picture of the set
    /// with the same hash, so a copy of a stored picture is never sent.
    func stagingSendsBytes(forFileOfSize size: Int64) -> Bool

    /// Moves `content` where the store keeps bytes not yet committed, for the
    /// blob `blob`, and checks them: bytes the engine kept are those bytes; a
    /// file that comes with the ``PieceDigests`` the store asked for is
    /// checked piece by piece; any other file is hashed as it is read. A file
    /// that changes meanwhile fails with
    /// ``BlobStoreError/Code-swift.struct/contentChanged``.
    ///
    /// - Returns: The staged bytes, with their SHA-256, to commit or discard.
    func stage(_ content: BlobContent, for blob: BlobReference) async throws(BlobStoreError) -> StagedBlob

    /// Makes the staged bytes the blob `blob`, tagged with `tags` and
    /// holding their SHA-256 as metadata, unless a blob of that name exists.
    /// Reads no source file. `blob` may differ from the blob they were staged
    /// for (another picture of the set had those bytes first).
    func commit(_ staged: StagedBlob, as blob: BlobReference, tags: [String: String]) async throws(BlobStoreError) -> BlobPutOutcome

    /// Forgets staged bytes that will not be committed.
    func discard(_ staged: StagedBlob) async

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

    /// The size of the pieces a file of `size` bytes is sent in, when the
    /// store wants their checksums computed as the file is hashed
    /// (``FileContent/fingerprint(pieceSize:keepingUpTo:)``) so that staging
    /// needs no hashing pass of its own; `nil` when it checks the bytes itself.
    func uploadPieceSize(forFileOfSize size: Int64) -> Int?
}

extension BlobStore {
    public func uploadPieceSize(forFileOfSize size: Int64) -> Int? { nil }

    public func stagingSendsBytes(forFileOfSize size: Int64) -> Bool { false }

    /// Stores `content` as `blob` unless a blob of that name exists: stages
    /// it, checks it hashed to `properties.sha256`, and commits it.
    public func putIfAbsent(
        _ blob: BlobReference,
        content: BlobContent,
        properties: BlobUploadProperties
    ) async throws(BlobStoreError) -> BlobPutOutcome {
        let staged = try await stage(content, for: blob)
        do throws(BlobStoreError) {
            guard staged.sha256 == properties.sha256 else {
                throw BlobStoreError.contentChanged(actual: staged.sha256, expected: properties.sha256)
            }
            return try await commit(staged, as: blob, tags: properties.tags)
        } catch {
            await discard(staged)
            throw error
        }
    }
}

/// Bytes a store holds for a blob, not yet committed (``BlobStore/stage(_:for:)``).
public struct StagedBlob: Sendable {
    /// The SHA-256 of the staged bytes.
    public var sha256: ContentHash
    /// How many bytes.
    public var size: Int64
    /// The blob they were staged for.
    public var blob: BlobReference
    /// Where the store holds them; only the store that staged them reads it.
    package var holding: Holding

    /// Where staged bytes are held, one case per kind of store.
    package enum Holding: Sendable {
        /// A file in the local store's staging folder.
        case stagingFile(path: String)
        /// In memory, sent when committed, with their CRC-64 when known.
        case memory(ByteBuffer, crc64: String?)
        /// Uncommitted Azure blocks of ``StagedBlob/blob``, in order, and the
        /// file they came from (to stage them again for another name).
        case blocks(ids: [String], source: SourceFile, pieces: PieceDigests?)
    }

    package init(sha256: ContentHash, size: Int64, blob: BlobReference, holding: Holding) {
        self.sha256 = sha256
        self.size = size
        self.blob = blob
        self.holding = holding
    }
}

/// A blob's address: its container and its name inside it.
public struct BlobReference: Sendable, Hashable, CustomStringConvertible {
    public var container: String
    public var name: String

    public init(container: String, name: String) {
        self.container = container
        self.name = name
    }

    public var description: String { container + "/" + name }
}

/// What to store in a blob.
public enum BlobContent: Sendable {
    /// An open file, read and hashed on the way.
    case file(SourceFile)
    /// An open file as the engine read and hashed it (``FileContent/fingerprint(pieceSize:keepingUpTo:)``):
    /// the store writes the bytes kept in memory, or reads the file with the
    /// checksums of the pieces it asked for
    /// (``BlobStore/uploadPieceSize(forFileOfSize:)``), and hashes nothing
    /// again; without either, it hashes the file again like ``file(_:)``
    /// and checks it against the fingerprint's SHA-256.
    case hashedFile(FileFingerprint, SourceFile)
    /// Bytes in memory, for small documents such as the folder marker.
    case data(Data)
    /// Bytes in memory that the caller hashed as it received them (an
    /// upload to `nachet-sync serve`): the store writes them and hashes
    /// nothing again. Only for sizes whose staging sends no bytes
    /// (``BlobStore/stagingSendsBytes(forFileOfSize:)`` is `false`).
    case hashedBytes(ByteBuffer, sha256: ContentHash)

    /// How many bytes the content holds, as far as is known before reading
    /// it (a file may still change).
    var expectedSize: Int64 {
        switch self {
        case .file(let source): source.signature.size
        case .hashedFile(let fingerprint, _): fingerprint.signature.size
        case .data(let data): Int64(data.count)
        case .hashedBytes(let bytes, _): Int64(bytes.readableBytes)
        }
    }
}

/// What is stored with a blob besides its bytes.
public struct BlobUploadProperties: Sendable, Hashable {
    /// The SHA-256 the bytes must have; kept as metadata `sha256`.
    public var sha256: ContentHash
    /// Blob index tags (`picture_uuid`, `picture_set_uuid`).
    public var tags: [String: String]

    public init(sha256: ContentHash, tags: [String: String]) {
        self.sha256 = sha256
        self.tags = tags
    }
}

/// What a blob store says of an existing blob.
public struct BlobProperties: Sendable, Hashable, Codable {
    public var contentLength: Int64
    /// The `sha256` metadata, when the blob has it.
    public var sha256: ContentHash?
    public var tags: [String: String]

    public init(contentLength: Int64, sha256: ContentHash?, tags: [String: String]) {
        self.contentLength = contentLength
        self.sha256 = sha256
        self.tags = tags
    }
}

/// The outcome of ``BlobStore/putIfAbsent(_:content:properties:)``.
public enum BlobPutOutcome: Sendable, Hashable {
    /// The blob was stored.
    case created
    /// A blob of that name was there already; nothing was written.
    case alreadyExists
}

extension ContentHash: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let hash = ContentHash(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a SHA-256"))
        }
        self = hash
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
