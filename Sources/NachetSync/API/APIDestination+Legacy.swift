import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// What uploading to Nachet's own backend needs besides the routes.
///
/// Nachet's backend honours no `sha256`: a picture sent twice is stored
/// twice. The agent still sends each file once: the state file records it
/// after the server's `[true]`, and copies of the same bytes in one run are
/// sent once (``claim(_:in:)``). What it cannot rule out is a crash between
/// a send and its state record: that picture is sent again at the next
/// run, and stored twice. It is never lost.
final class LegacyUploads: Sendable {
    /// Uploads in flight at once: Nachet's backend opens a database
    /// connection per request, and its web UI already sends without bound.
    static let uploadsInFlight = 2

    /// The largest image one JSON request carries: Nachet's default limit is
    /// 16 MiB a request (`NACHET_MAX_CONTENT_LENGTH`), and base64 adds a third.
    static let largestImage = 12 << 20

    let permits = AsyncPermits(LegacyUploads.uploadsInFlight)
    private let sent = Mutex<[UUID: Set<ContentHash>]>([:])

    /// Claims the bytes `sha256` for the set: `false` when they were sent
    /// (or are being sent) to it in this run.
    func claim(_ sha256: ContentHash, in set: UUID) -> Bool {
        sent.withLock { $0[set, default: []].insert(sha256).inserted }
    }

    /// Gives up a claim whose upload failed.
    func release(_ sha256: ContentHash, in set: UUID) {
        _ = sent.withLock { $0[set]?.remove(sha256) }
    }
}

/// `/upload-picture`'s body as Nachet's backend reads it.
private struct LegacyUploadBody: Encodable {
    var container_name: String
    var session_id: String
    var seed_id: String
    var seed_name: String
    var zoom_level: Double?
    var nb_seeds: Int?
    var image: String

    // `zoom_level` and `nb_seeds` are written as null when absent.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(container_name, forKey: .container_name)
        try container.encode(session_id, forKey: .session_id)
        try container.encode(seed_id, forKey: .seed_id)
        try container.encode(seed_name, forKey: .seed_name)
        try container.encode(zoom_level, forKey: .zoom_level)
        try container.encode(nb_seeds, forKey: .nb_seeds)
        try container.encode(image, forKey: .image)
    }

    private enum CodingKeys: String, CodingKey {
        case container_name, session_id, seed_id, seed_name, zoom_level, nb_seeds, image
    }
}

extension APIDestination {
    /// The owner's set named `request.name`: found in `/get-directories`
    /// (Nachet refuses a second `/new-batch-import` of one name), else made.
    func findOrCreateLegacySet(_ request: NewPictureSet) async throws -> (set: PictureSetRecord, created: Bool) {
        func existing() async throws -> PictureSetRecord? {
            guard let folders = try await directories(of: request.ownerID) else {
                throw APIError(.refused, "\(location): no Nachet user has the id \(request.ownerID.lowercased)")
            }
            remember(folders, owner: request.ownerID)
            return folders.first { $0.folder_name == request.name }.flatMap { folder in
                UUID(uuidString: folder.picture_set_id).map {
                    PictureSetRecord(id: $0, ownerID: request.ownerID, name: request.name, numberOfImages: folder.nb_pictures)
                }
            }
        }
        if let set = try await existing() { return (set, false) }
        let answer: NachetAPIClient.Answer
        do {
            answer = try await client.send(.POST, "/new-batch-import", body: try Self.json(Self.batchImport(request)), repeatable: false)
        } catch {
            // Made meanwhile by another agent or a person: found again.
            let madeMeanwhile = error.code == .refused && error.message.lowercased().contains("already exists")
            guard madeMeanwhile, let set = try await existing() else { throw error }
            return (set, false)
        }
        let id = try uuid(answer.decoded(NachetWire.SessionAnswer.self, from: location).session_id)
        return (PictureSetRecord(id: id, ownerID: request.ownerID, name: request.name, numberOfImages: 0), true)
    }

    /// Sends the file to Nachet's `/upload-picture` as a data URL, with the
    /// seed's id (resolved from `/seeds`), few uploads in flight.
    func storeLegacy(
        _ content: FingerprintedContent,
        as picture: PictureDraft,
        in set: PictureSetRecord,
        afterWrite: @escaping @Sendable (WriteStep) throws -> Void
    ) async throws -> StoredPicture {
        guard content.size <= Int64(LegacyUploads.largestImage) else {
            throw APIError(
                .tooLarge,
                "\(content.size >> 20) MiB is more than Nachet's backend takes in one request (about \(LegacyUploads.largestImage >> 20) MiB of image); upload it through nachet-sync serve, which takes images of any size"
            )
        }
        return try await legacy.permits.withPermit {
            guard legacy.claim(content.sha256, in: set.id) else {
                return StoredPicture(pictureID: nil, sha256: content.sha256, isNew: false)
            }
            do {
                try afterWrite(.staged)
                let bytes = try await Self.wholeBytes(of: content)
                let body = LegacyUploadBody(
                    container_name: set.ownerID.lowercased, session_id: set.id.lowercased, seed_id: picture.seed.id.lowercased,
                    seed_name: picture.seed.name, zoom_level: picture.zoom, nb_seeds: picture.seedCount,
                    image: "data:\(Self.mediaType(of: picture.fileName));base64," + Data(bytes.readableBytesView).base64EncodedString())
                _ = try await client.send(.POST, "/upload-picture", body: .json(try JSONEncoder().encode(body)), repeatable: false)
                try afterWrite(.pictureBlob)
                return StoredPicture(pictureID: nil, sha256: content.sha256, isNew: true)
            } catch {
                legacy.release(content.sha256, in: set.id)
                if let error = error as? APIError, error.code == .refused, error.message.contains(set.id.lowercased) { forget(set) }
                throw error
            }
        }
    }

    /// The content's bytes in memory, for a data URL: as read, or read
    /// again from their file (not hashed: they were when first read); the
    /// file must not have changed since.
    static func wholeBytes(of content: FingerprintedContent) async throws -> ByteBuffer {
        let file: SourceFile
        switch content.bytes {
        case .memory(let bytes): return bytes
        case .file(let source), .privateFile(let source): file = source
        case .staged(let staging): file = try SourceFile.open(path: staging.path)
        }
        return try await BlockingWork.run { () throws(BlobStoreError) in
            let bytes = try SourceBytes.read(file.descriptor, path: file.path, offset: 0, length: Int(content.size))
            guard file.isUnchangedSinceOpened else { throw BlobStoreError.sourceChanged(path: file.path) }
            return bytes
        }
    }

    /// The media type of a data URL for the file `name` (Nachet ignores it).
    static func mediaType(of name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "jpg", "jpeg": "image/jpeg"
        case "tif", "tiff": "image/tiff"
        case let other where !other.isEmpty: "image/\(other)"
        default: "application/octet-stream"
        }
    }
}
