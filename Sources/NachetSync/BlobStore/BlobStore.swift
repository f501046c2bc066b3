import Foundation

/// Where bytes go: containers of blobs, laid out as Nachet lays them out in
/// Azure Blob Storage (``BlobLayout``).
///
/// Implementations: ``LocalBlobStore`` (the embedded default). Every
/// implementation passes the same contract test suite.
public protocol BlobStore: Sendable {
    /// Where the blobs live, for messages; never holds a key or a SAS.
    var location: String { get }

    /// Creates `container` unless it exists.
    func createContainerIfMissing(_ container: String) async throws(BlobStoreError)

    /// Stores `content` as `blob` unless a blob of that name exists.
    ///
    /// What is stored is checked to be the bytes that were hashed: bytes the
    /// engine kept are those bytes; a file that comes with the
    /// ``PieceDigests`` the store asked for is checked by the service, piece
    /// by piece; any other file is hashed again against `properties.sha256`
    /// as it is sent. A file that changed since it was hashed fails with
    /// ``BlobStoreError/Code-swift.struct/contentChanged`` and nothing is
    /// stored.
    func putIfAbsent(
        _ blob: BlobReference,
        content: BlobContent,
        properties: BlobUploadProperties
    ) async throws(BlobStoreError) -> BlobPutOutcome

    /// The blob's properties, or `nil` when it does not exist.
    func properties(of blob: BlobReference) async throws(BlobStoreError) -> BlobProperties?

    /// Replaces the blob's index tags.
    func setTags(_ tags: [String: String], on blob: BlobReference) async throws(BlobStoreError)

    /// The URL Nachet stores as a picture's `link`.
    func url(of blob: BlobReference) -> String

    /// The size of the pieces a file of `size` bytes is sent in, when the
    /// store wants their MD5s computed as the file is hashed
    /// (``FileContent/fingerprint(pieceSize:)``) so that the put needs no
    /// hashing pass of its own; `nil` when it checks the bytes itself.
    func uploadPieceSize(forFileOfSize size: Int64) -> Int?
}

extension BlobStore {
    public func uploadPieceSize(forFileOfSize size: Int64) -> Int? { nil }
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
    /// A file, streamed from disk and hashed again on the way.
    case file(path: String)
    /// A file as the engine read and hashed it (``FileContent/fingerprint(pieceSize:keepingUpTo:)``):
    /// the store sends the bytes kept in memory, or the file with the
    /// checksums of the pieces it asked for
    /// (``BlobStore/uploadPieceSize(forFileOfSize:)``), and hashes nothing
    /// again; without either, it streams the file like ``file(path:)``.
    case hashedFile(FileFingerprint, path: String)
    /// Bytes in memory, for small documents such as the folder marker.
    case data(Data)
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
