import Foundation
import Glibc
import Logging
import NIOCore

/// Nachet's production blob store: Azure Blob Storage, spoken to directly
/// over its REST API (AsyncHTTPClient for HTTP, OpenSSL for HMAC and MD5).
///
/// Every write is checked: the engine hashes a file with SHA-256 and, in the
/// same read, takes the CRC-64 of each piece it will be sent in (one Put Blob
/// up to the single-put limit, else each block); each request carries its
/// piece's `x-ms-content-crc64`, so the service refuses any byte that differs
/// from the ones hashed, and the file is never hashed a second time. Content
/// without those checksums is hashed again as it is sent and compared with
/// the picture row's SHA-256 before the blob is committed. The SHA-256 is
/// kept as `x-ms-meta-sha256`, so a later HEAD proves which bytes a blob
/// holds. `--verify` adds a read-back. (Small XML bodies carry `Content-MD5`.)
public struct AzureBlobStore: BlobStore {
    public let account: AzureAccount
    let options: AzureUploadOptions
    let client: AzureBlobClient
    /// Shared by every copy of this store: the blocks in flight across files.
    let blockPermits: AsyncPermits

    public var location: String { "Azure Blob Storage \(account)" }

    /// - Parameter health: Where failures to reach the service are said and
    ///   kept (``StoreHealth``); one of its own when not given.
    public init(account: AzureAccount, options: AzureUploadOptions = AzureUploadOptions(), health: StoreHealth? = nil, logger: Logger) {
        self.account = account
        self.options = options
        blockPermits = AsyncPermits(options.blocksInFlight)
        LargeBuffers.configure()
        client = AzureBlobClient(
            account: account,
            retry: options.retry,
            timeout: options.requestTimeout,
            health: health ?? StoreHealth(logger: logger),
            logger: logger
        )
    }

    public func createContainerIfMissing(_ container: String) async throws(BlobStoreError) {
        let response = try await client.send(AzureRequest(method: "PUT", container: container, query: [("restype", "container")]))
        guard response.status == 201 || response.errorCode == "ContainerAlreadyExists" else {
            throw failure(response, doing: "create the container", container)
        }
    }

    /// Wants files hashed first, with the checksums of their pieces: a copy
    /// of a picture already stored is then found before a byte is sent.
    public var hashesWhileStaging: Bool { false }

    public func stage(_ content: BlobContent, for blob: BlobReference) async throws(BlobStoreError) -> StagedBlob {
        switch content {
        case .hashedFile(let fingerprint, let source):
            return try await stageHashed(fingerprint, source, for: blob)
        case .file(let source):
            let fingerprint: FileFingerprint
            do {
                fingerprint = try FileContent(file: source).fingerprint(pieceSize: uploadPieceSize(forFileOfSize: source.signature.size))
            } catch let changed as FileChangedWhileReadError {
                throw BlobStoreError.sourceChanged(path: changed.path)
            } catch {
                throw BlobStoreError(.sourceUnreadable, "\(error)")
            }
            return try await stageHashed(fingerprint, source, for: blob)
        case .data(let data):
            return try stagedInMemory(AzureRequest.body(data), sha256: SHA256Digest.hash(data), for: blob)
        case .hashedBytes(let bytes, let sha256):
            return try stagedInMemory(bytes, sha256: sha256, for: blob)
        }
    }

    /// Bytes held in memory until the commit sends them in one Put Blob.
    private func stagedInMemory(_ bytes: ByteBuffer, sha256: ContentHash, for blob: BlobReference) throws(BlobStoreError) -> StagedBlob {
        guard bytes.readableBytes <= options.singlePutLimit else {
            throw BlobStoreError(.failed, "in-memory content above \(options.singlePutLimit) bytes is not supported")
        }
        return StagedBlob(sha256: sha256, size: Int64(bytes.readableBytes), blob: blob, holding: .memory(bytes, crc64: nil))
    }

    /// Commits with one Put Blob (bytes held in memory) or one Put Block List
    /// (blocks staged), both create-only; `--verify` then reads it back.
    public func commit(_ staged: StagedBlob, as blob: BlobReference, tags: [String: String]) async throws(BlobStoreError) -> BlobPutOutcome {
        let properties = BlobUploadProperties(sha256: staged.sha256, tags: tags)
        let outcome: BlobPutOutcome
        switch staged.holding {
        case .memory(let body, let crc64):
            outcome = try await putWhole(blob, body: body, crc64: crc64, properties: properties)
        case .blocks(var ids, let source, let pieces):
            if blob != staged.blob {
                // Blocks belong to the blob they were staged for: another
                // picture of the set had these bytes first, and its blob is
                // missing. Rare (a crash between its row and its blob).
                ids = try await stageBlocks(for: blob, from: source, size: staged.size, pieces: pieces, sha256: staged.sha256)
            }
            outcome = try await commitBlocks(blob, blockIDs: ids, properties: properties)
        case .stagingFile:
            throw BlobStoreError(.failed, "cannot commit \(blob): its bytes were staged by another kind of store")
        }
        if outcome == .created && options.verifyByReadingBack {
            try await verifyByReadingBack(blob, expecting: staged.sha256)
        }
        return outcome
    }

    /// Nothing to do: memory goes with the value, and Azure drops blocks
    /// left uncommitted after a week.
    public func discard(_ staged: StagedBlob) async {}

    /// Files over the single-put limit are staged as blocks, sent at once;
    /// smaller ones are staged in memory and sent when committed.
    public func stagingSendsBytes(forFileOfSize size: Int64) -> Bool {
        size > options.singlePutLimit
    }

    /// One Put Blob up to the single-put limit, blocks of `blockSize` above.
    public func uploadPieceSize(forFileOfSize size: Int64) -> Int? {
        size <= options.singlePutLimit ? options.singlePutLimit : options.blockSize
    }

    public func properties(of blob: BlobReference) async throws(BlobStoreError) -> BlobProperties? {
        let response = try await client.send(AzureRequest(method: "HEAD", container: blob.container, blob: blob.name))
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw failure(response, doing: "read the properties of", blob.description) }
        var tags: [String: String] = [:]
        if let count = response.headers["x-ms-tag-count"].flatMap(Int.init), count > 0 {
            tags = try await self.tags(of: blob)
        }
        return BlobProperties(
            contentLength: response.headers["content-length"].flatMap(Int64.init) ?? 0,
            sha256: response.headers["x-ms-meta-sha256"].flatMap(ContentHash.init(hex:)),
            tags: tags
        )
    }

    /// One Get Blob of the range (`x-ms-range`), retried like every request.
    public func read(_ blob: BlobReference, offset: Int64, length: Int) async throws(BlobStoreError) -> ByteBuffer? {
        guard length > 0 else { return ByteBuffer() }
        let response = try await client.send(
            AzureRequest(
                method: "GET", container: blob.container, blob: blob.name,
                headers: [("x-ms-range", "bytes=\(offset)-\(offset + Int64(length) - 1)")]
            )
        )
        switch response.status {
        case 200, 206: return ByteBuffer(bytes: response.body)
        case 404: return nil
        case 416: return ByteBuffer()
        default: throw failure(response, doing: "read", blob.description)
        }
    }

    public func setTags(_ tags: [String: String], on blob: BlobReference) async throws(BlobStoreError) {
        let body =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Tags><TagSet>"
            + tags.sorted { $0.key < $1.key }.map {
                "<Tag><Key>\(AzureXML.escape($0.key))</Key><Value>\(AzureXML.escape($0.value))</Value></Tag>"
            }
            .joined() + "</TagSet></Tags>"
        let data = Data(body.utf8)
        let response = try await client.send(
            AzureRequest(
                method: "PUT",
                container: blob.container,
                blob: blob.name,
                query: [("comp", "tags")],
                headers: [("Content-Type", "application/xml; charset=utf-8"), ("Content-MD5", ContentMD5.base64(data))],
                body: AzureRequest.body(data)
            )
        )
        guard response.status == 204 || response.status == 200 else { throw failure(response, doing: "tag", blob.description) }
    }

    /// The blob's index tags.
    func tags(of blob: BlobReference) async throws(BlobStoreError) -> [String: String] {
        let response = try await client.send(
            AzureRequest(method: "GET", container: blob.container, blob: blob.name, query: [("comp", "tags")]))
        guard response.status == 200 else { throw failure(response, doing: "read the tags of", blob.description) }
        var tags: [String: String] = [:]
        for tag in AzureXML.values(of: "Tag", in: String(decoding: response.body, as: UTF8.self)) {
            if let key = AzureXML.values(of: "Key", in: tag).first {
                tags[key] = AzureXML.values(of: "Value", in: tag).first ?? ""
            }
        }
        return tags
    }

    public func url(of blob: BlobReference) -> String {
        AzureRequest(method: "GET", container: blob.container, blob: blob.name).url(endpoint: account.endpoint, sharedAccessSignature: nil)
    }

    // MARK: - Files

    /// Stages a file as the engine hashed it. Bytes it kept are staged as
    /// they are. A file up to the single-put limit is read into memory now
    /// and checked against the checksum taken when it was hashed, so the
    /// commit sends exactly the bytes hashed. A larger one is sent in blocks,
    /// each with the checksum taken when hashing, which the service checks.
    /// Without checksums cut for these sizes, it is hashed again as it is read.
    private func stageHashed(
        _ fingerprint: FileFingerprint,
        _ source: SourceFile,
        for blob: BlobReference
    ) async throws(BlobStoreError) -> StagedBlob {
        let size = fingerprint.signature.size
        if let bytes = fingerprint.bytes, bytes.readableBytes <= options.singlePutLimit {
            let crc64 = fingerprint.pieces.flatMap { $0.areCut(in: options.singlePutLimit) ? $0.crc64.first : nil }
            return StagedBlob(sha256: fingerprint.sha256, size: size, blob: blob, holding: .memory(bytes, crc64: crc64))
        }
        if size <= options.singlePutLimit {
            let body = try SourceBytes.read(source.descriptor, path: source.path, offset: 0, length: Int(size))
            guard source.isUnchangedSinceOpened else { throw BlobStoreError.sourceChanged(path: source.path) }
            let crc64 = StorageCRC64.base64(body)
            if let pieces = fingerprint.pieces, pieces.areCut(in: options.singlePutLimit), let hashed = pieces.crc64.first {
                guard crc64 == hashed else { throw BlobStoreError.sourceChanged(path: source.path) }
            } else {
                try Self.check(body, expecting: fingerprint.sha256)
            }
            return StagedBlob(sha256: fingerprint.sha256, size: size, blob: blob, holding: .memory(body, crc64: crc64))
        }
        let pieces = fingerprint.pieces.flatMap { $0.areCut(in: options.blockSize) ? $0 : nil }
        let ids = try await stageBlocks(for: blob, from: source, size: size, pieces: pieces, sha256: fingerprint.sha256)
        return StagedBlob(sha256: fingerprint.sha256, size: size, blob: blob, holding: .blocks(ids: ids, source: source, pieces: pieces))
    }

    // MARK: - Single put

    /// Puts `body` in one request, with its CRC-64 computed when hashing the
    /// file (or here, when `crc64` is `nil`).
    private func putWhole(
        _ blob: BlobReference,
        body: ByteBuffer,
        crc64: String?,
        properties: BlobUploadProperties
    ) async throws(BlobStoreError) -> BlobPutOutcome {
        var headers = Self.commitHeaders(properties)
        headers.append(("x-ms-blob-type", "BlockBlob"))
        headers.append(("x-ms-content-crc64", crc64 ?? StorageCRC64.base64(body)))
        let response = try await client.send(
            AzureRequest(method: "PUT", container: blob.container, blob: blob.name, headers: headers, body: body)
        )
        return try putOutcome(response, blob)
    }

    /// Headers that make a committed blob: create only if absent, its hash, its tags.
    static func commitHeaders(_ properties: BlobUploadProperties) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("If-None-Match", "*"), ("x-ms-meta-sha256", properties.sha256.hex)]
        if !properties.tags.isEmpty {
            headers.append(
                (
                    "x-ms-tags",
                    properties.tags.sorted { $0.key < $1.key }.map {
                        AzureRequest.encode($0.key, keepingSlashes: false) + "=" + AzureRequest.encode($0.value, keepingSlashes: false)
                    }.joined(separator: "&")
                ))
        }
        return headers
    }

    func putOutcome(_ response: AzureResponse, _ blob: BlobReference) throws(BlobStoreError) -> BlobPutOutcome {
        switch response.status {
        case 201: return .created
        case 409 where response.errorCode == "BlobAlreadyExists": return .alreadyExists
        case 412: return .alreadyExists
        default: throw failure(response, doing: "store", blob.description)
        }
    }

    // MARK: - Checking the source

    /// Checks that `body` holds the bytes the row's hash was taken from.
    static func check(_ body: ByteBuffer, expecting expected: ContentHash) throws(BlobStoreError) {
        let digest = SHA256Digest()
        body.withUnsafeReadableBytes { digest.update($0) }
        let actual = digest.finish()
        guard actual == expected else { throw BlobStoreError.contentChanged(actual: actual, expected: expected) }
    }

    // MARK: - Errors

    /// A plain message for a refused request; 403 says which cause is likely.
    func failure(_ response: AzureResponse, doing action: String, _ subject: String) -> BlobStoreError {
        let code = response.errorCode ?? "HTTP \(response.status)"
        let detail = response.errorMessage.map { ": \($0)" } ?? ""
        switch response.status {
        case 403:
            let why = (response.authenticationDetail ?? response.errorMessage ?? "").lowercased()
            let likely: String
            if why.contains("request date header") || why.contains("clock") {
                likely = "this PC's clock is probably off (Azure refuses requests more than 15 minutes off): set the time (NTP)"
            } else if case .sharedAccessSignature = account.authorization {
                likely =
                    code == "AuthorizationPermissionMismatch"
                    ? "the SAS lacks a right: it needs read, add, create, write and tag (sp=racwt)"
                    : "the SAS is probably expired or not for this account: make a new one (or the PC's clock is off)"
            } else {
                likely =
                    "the account key is probably wrong: copy it again from the storage account's Access keys (or the PC's clock is off)"
            }
            return BlobStoreError(.denied, "Azure Blob Storage refused to \(action) \(subject) (403 \(code)); \(likely)")
        case 400 where code == "Crc64Mismatch" || code == "Md5Mismatch":
            return BlobStoreError(
                .contentChanged,
                "cannot \(action) \(subject): the bytes sent are not the ones hashed (Azure checked their checksum); the file changed while it was being stored, or was damaged on the way — it is taken again at the next pass"
            )
        case 404 where code == "ContainerNotFound":
            return BlobStoreError(
                .failed, "cannot \(action) \(subject): the container does not exist (\(code)); it is created at the next pass")
        default:
            return BlobStoreError(.failed, "cannot \(action) \(subject): Azure answered \(response.status) \(code)\(detail)")
        }
    }
}
