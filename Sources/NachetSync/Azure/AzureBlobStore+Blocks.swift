import Foundation
import Glibc
import NIOCore

extension AzureBlobStore {
    /// The id of the block at `offset` of a file whose SHA-256 is `hash`.
    ///
    /// Ids name the bytes they hold: the same file staged again gives the
    /// same ids, so an interrupted upload finds its staged blocks by id and
    /// does not send them again, and a block staged from other bytes never
    /// matches. All ids of a blob have the same length, as Azure requires.
    static func blockID(hash: ContentHash, offset: Int64) -> String {
        Data(("nachet-" + hash.hex.prefix(16) + "-" + String(format: "%016llx", offset)).utf8).base64EncodedString()
    }

    /// Stages a large file in blocks of `blob`, a few in flight, resuming
    /// from blocks an earlier attempt staged.
    ///
    /// Each block is read (on the blocking pool, never on a cooperative
    /// thread) and sent with its CRC-64: the one taken when the file was
    /// hashed (`pieces`), which the service checks against what it gets, or,
    /// for a file nobody else writes (`serve`'s spool), computed as it is
    /// read. A block already staged under its id is not even read: ids name
    /// the bytes they hold. Nothing is hashed again: the file must be
    /// unchanged since it was hashed.
    /// - Returns: The ids of the blocks, in order, for the Put Block List.
    func stageBlocks(
        for blob: BlobReference,
        from source: SourceFile,
        size: Int64,
        pieces: PieceDigests?,
        sha256: ContentHash
    ) async throws(BlobStoreError) -> [String] {
        let staged = try await uncommittedBlocks(blob)
        var blockIDs: [String] = []
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var inFlight = 0
                var offset: Int64 = 0
                while offset < size {
                    let start = offset
                    let length = Int(min(Int64(options.blockSize), size - offset))
                    let id = Self.blockID(hash: sha256, offset: offset)
                    let hashedCRC = pieces?.crc64[blockIDs.count]
                    blockIDs.append(id)
                    offset += Int64(length)
                    if staged[id] == length { continue }
                    if inFlight >= options.blocksInFlight {
                        try await group.next()
                        inFlight -= 1
                    }
                    await blockPermits.acquire()
                    let block: (data: ByteBuffer, crc64: String)
                    do {
                        block = try await BlockingWork.run { () throws(BlobStoreError) in
                            let data = try SourceBytes.read(source.descriptor, path: source.path, offset: start, length: length)
                            return (data, hashedCRC ?? StorageCRC64.base64(data))
                        }
                    } catch {
                        blockPermits.release()
                        throw error
                    }
                    group.addTask { [blockPermits] in
                        defer { blockPermits.release() }
                        try await self.putBlock(blob, id: id, data: block.data, crc64: block.crc64)
                    }
                    inFlight += 1
                }
                try await group.waitForAll()
            }
        } catch let error as BlobStoreError {
            throw error
        } catch {
            throw BlobStoreError(.failed, "cannot upload \(blob): \(error)")
        }
        guard source.isUnchangedSinceOpened else { throw BlobStoreError.sourceChanged(path: source.path) }
        return blockIDs
    }

    private func putBlock(_ blob: BlobReference, id: String, data: ByteBuffer, crc64: String) async throws(BlobStoreError) {
        let response = try await client.send(
            AzureRequest(
                method: "PUT",
                container: blob.container,
                blob: blob.name,
                query: [("comp", "block"), ("blockid", id)],
                headers: [("x-ms-content-crc64", crc64)],
                body: data
            )
        )
        guard response.status == 201 else { throw failure(response, doing: "upload a block of", blob.description) }
    }

    /// Commits the staged blocks as the blob, if it does not exist.
    func commitBlocks(_ blob: BlobReference, blockIDs: [String], properties: BlobUploadProperties) async throws(BlobStoreError)
        -> BlobPutOutcome
    {
        let body = AzureRequest.body(
            Data(
                ("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>" + blockIDs.map { "<Latest>\($0)</Latest>" }.joined()
                    + "</BlockList>").utf8
            )
        )
        var headers = Self.commitHeaders(properties)
        headers.append(("Content-Type", "application/xml; charset=utf-8"))
        headers.append(("Content-MD5", ContentMD5.base64(body)))
        let response = try await client.send(
            AzureRequest(
                method: "PUT", container: blob.container, blob: blob.name, query: [("comp", "blocklist")], headers: headers, body: body)
        )
        return try putOutcome(response, blob)
    }

    /// The blocks staged but not committed for `blob`, by id, with their sizes.
    func uncommittedBlocks(_ blob: BlobReference) async throws(BlobStoreError) -> [String: Int] {
        let response = try await client.send(
            AzureRequest(
                method: "GET",
                container: blob.container,
                blob: blob.name,
                query: [("comp", "blocklist"), ("blocklisttype", "uncommitted")]
            )
        )
        if response.status == 404 { return [:] }
        guard response.status == 200 else { throw failure(response, doing: "list the staged blocks of", blob.description) }
        let text = String(decoding: response.body, as: UTF8.self)
        guard let list = AzureXML.values(of: "UncommittedBlocks", in: text).first else { return [:] }
        var blocks: [String: Int] = [:]
        for block in AzureXML.values(of: "Block", in: list) {
            if let name = AzureXML.values(of: "Name", in: block).first,
                let size = AzureXML.values(of: "Size", in: block).first.flatMap(Int.init)
            {
                blocks[name] = size
            }
        }
        return blocks
    }

    /// Reads the committed blob back and checks its SHA-256.
    func verifyByReadingBack(_ blob: BlobReference, expecting expected: ContentHash) async throws(BlobStoreError) {
        let digest = SHA256Digest()
        let status: Int
        do {
            status = try await client.stream(AzureRequest(method: "GET", container: blob.container, blob: blob.name)) { buffer in
                buffer.withUnsafeReadableBytes { digest.update($0) }
            }.status
        } catch {
            throw BlobStoreError(.unavailable, "cannot read \(blob) back to verify it (\(AzureFailureCause.describe(error, timeout: client.timeout))); retrying later")
        }
        guard status == 200 else { throw BlobStoreError(.failed, "cannot read \(blob) back to verify it: Azure answered \(status)") }
        let actual = digest.finish()
        guard actual == expected else {
            throw BlobStoreError(
                .failed,
                "blob \(blob) read back holds other bytes (SHA-256 \(actual.hex.prefix(12))…) than were sent (\(expected.hex.prefix(12))…); delete it so the agent stores it again"
            )
        }
    }
}
