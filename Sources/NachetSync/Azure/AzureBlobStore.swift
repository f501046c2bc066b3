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
package struct AzureBlobStore: BlobStore {
    package let account: AzureAccount
    let options: AzureUploadOptions
    let client: AzureBlobClient
    /// Shared by every copy of this store: the blocks in flight across files.
    let blockPermits: AsyncPermits

    package var location: String { "Azure Blob Storage \(account)" }

    /// - Parameter health: Where failures to reach the service are said and
    ///   kept (``StoreHealth``); one of its own when not given.
    package init(account: AzureAccount, options: AzureUploadOptions = AzureUploadOptions(), health: StoreHealth? = nil, logger: Logger) {
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

    /// The account, for an endpoint that names it as the service does
    /// (`<account>.blob.core.windows.net`, or through a private endpoint,
    /// `<account>.privatelink.blob.core.windows.net`): account names are
    /// unique in a cloud, so any endpoint of the account is the same store.
    /// `nil` for an emulator's path-style endpoint (every emulator has the
    /// same account) or a custom domain: those are known by their endpoint.
    package func identity() async throws(BlobStoreError) -> String? {
        Self.identity(of: account)
    }

    static func identity(of account: AzureAccount) -> String? {
        let name = account.name.lowercased()
        guard let host = account.endpoint.host?.lowercased(), host.hasPrefix(name + "."),
            let blob = host.dropFirst(name.count + 1).range(of: "blob.")
        else { return nil }
        return "azure-account:\(name)@\(host[blob.upperBound...])"
    }

    package func createContainerIfMissing(_ container: String) async throws(BlobStoreError) {
        let response = try await client.send(AzureRequest(method: "PUT", container: container, query: [("restype", "container")]))
        guard response.status == 201 || response.errorCode == "ContainerAlreadyExists" else {
            throw failure(response, doing: "create the container", container)
        }
    }

    /// Wants files hashed first, with the checksum of each piece it sends
    /// (one Put Blob up to the single-put limit, else each block): a copy of
    /// a picture already stored is then found before a byte is sent, and
    /// nothing is hashed again. Small files are kept in memory from that
    /// read; files over the single-put limit are sent in blocks at staging.
    package func stagingPlan(forSize size: Int64) -> StagingPlan {
        let isWhole = size <= Int64(options.singlePutLimit)
        return StagingPlan(
            pieceSize: isWhole ? options.singlePutLimit : options.blockSize, sendsBytes: !isWhole,
            keepsInMemoryUpTo: min(StagingPlan.keptFileSize, options.singlePutLimit))
    }

    /// Bytes up to the single-put limit are held in memory (read now, when
    /// still in their file) and sent by the commit in one Put Blob, with
    /// their CRC-64; larger ones are sent now in blocks, each with the
    /// checksum taken when hashing, which the service checks. A file is
    /// checked not to have changed since it was hashed; nothing is hashed
    /// again.
    package func stage(_ content: FingerprintedContent, for blob: BlobReference) async throws(BlobStoreError) -> StagedBlob {
        let source: SourceFile
        let hashedCRC = content.pieces.flatMap { $0.areCut(in: options.singlePutLimit) ? $0.crc64.first : nil }
        switch content.bytes {
        case .memory(let body):
            guard body.readableBytes <= options.singlePutLimit else {
                throw BlobStoreError(.failed, "in-memory content above \(options.singlePutLimit) bytes is not supported")
            }
            let crc64 = if let hashedCRC { hashedCRC } else { await BlockingWork.run { StorageCRC64.base64(body) } }
            return stagedInMemory(body, crc64: crc64, content, for: blob)
        case .file(let file), .privateFile(let file):
            source = file
        case .staged(let file):
            source = try Self.open(file.path)
        }
        if content.size <= Int64(options.singlePutLimit) {
            let (body, crc64) = try await BlockingWork.run { () throws(BlobStoreError) in
                let body = try SourceBytes.read(source.descriptor, path: source.path, offset: 0, length: Int(content.size))
                let crc64 = StorageCRC64.base64(body)
                guard source.isUnchangedSinceOpened, hashedCRC == nil || hashedCRC == crc64 else {
                    throw BlobStoreError.sourceChanged(path: source.path)
                }
                return (body, crc64)
            }
            return stagedInMemory(body, crc64: crc64, content, for: blob)
        }
        let pieces = content.pieces.flatMap { $0.areCut(in: options.blockSize) ? $0 : nil }
        let ids = try await stageBlocks(for: blob, from: source, size: content.size, pieces: pieces, sha256: content.sha256)
        return StagedBlob(
            sha256: content.sha256, size: content.size, blob: blob,
            commit: { target, tags throws(BlobStoreError) in
                var ids = ids
                if target != blob {
                    // Blocks belong to the blob they were staged for: another
                    // picture of the set had these bytes first, and its blob is
                    // missing. Rare (a crash between its row and its blob).
                    ids = try await stageBlocks(for: target, from: source, size: content.size, pieces: pieces, sha256: content.sha256)
                }
                let properties = BlobUploadProperties(sha256: content.sha256, tags: tags)
                return try await committed(target, sha256: content.sha256) { () async throws(BlobStoreError) in
                    try await commitBlocks(target, blockIDs: ids, properties: properties)
                }
            })
    }

    /// Bytes held in memory until the commit sends them in one Put Blob,
    /// with their CRC-64, which the service checks.
    private func stagedInMemory(_ body: ByteBuffer, crc64: String, _ content: FingerprintedContent, for blob: BlobReference) -> StagedBlob {
        StagedBlob(
            sha256: content.sha256, size: Int64(body.readableBytes), blob: blob,
            commit: { target, tags throws(BlobStoreError) in
                let properties = BlobUploadProperties(sha256: content.sha256, tags: tags)
                return try await committed(target, sha256: content.sha256) { () async throws(BlobStoreError) in
                    try await putWhole(target, body: body, crc64: crc64, properties: properties)
                }
            })
    }

    /// Runs `commit`; `--verify` then reads a blob it created back and
    /// checks it holds `sha256`.
    private func committed(
        _ blob: BlobReference, sha256: ContentHash, _ commit: () async throws(BlobStoreError) -> BlobPutOutcome
    ) async throws(BlobStoreError) -> BlobPutOutcome {
        let outcome = try await commit()
        if outcome == .created && options.verifyByReadingBack {
            try await verifyByReadingBack(blob, expecting: sha256)
        }
        return outcome
    }

    /// The staging file at `path`, opened to be read.
    private static func open(_ path: String) throws(BlobStoreError) -> SourceFile {
        do {
            return try SourceFile.open(path: path)
        } catch {
            throw BlobStoreError(.sourceUnreadable, "\(error)")
        }
    }

    package func properties(of blob: BlobReference) async throws(BlobStoreError) -> BlobProperties? {
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
    package func read(_ blob: BlobReference, offset: Int64, length: Int) async throws(BlobStoreError) -> ByteBuffer? {
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

    package func setTags(_ tags: [String: String], on blob: BlobReference) async throws(BlobStoreError) {
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

    package func url(of blob: BlobReference) -> String {
        AzureRequest(method: "GET", container: blob.container, blob: blob.name).url(endpoint: account.endpoint, sharedAccessSignature: nil)
    }

    // MARK: - Single put

    /// Puts `body` in one request, with its CRC-64.
    private func putWhole(
        _ blob: BlobReference,
        body: ByteBuffer,
        crc64: String,
        properties: BlobUploadProperties
    ) async throws(BlobStoreError) -> BlobPutOutcome {
        var headers = Self.commitHeaders(properties)
        headers.append(("x-ms-blob-type", "BlockBlob"))
        headers.append(("x-ms-content-crc64", crc64))
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
