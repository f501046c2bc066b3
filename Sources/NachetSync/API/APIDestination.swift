import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Nachet's batch-import API as a sync's destination (`--nachet-url`): the
/// agent holds a revocable token instead of the datastore's password and
/// key, and a central `nachet-sync serve` (or Nachet's own backend) writes
/// the rows and blobs.
///
/// Against `serve`, each picture goes through `/upload-picture-raw` with
/// its SHA-256: the server stores it once per set however often it is
/// sent, so a crash anywhere, a retry or four agents sending the same
/// folder never make a second picture, exactly as when the agent writes the
/// datastore itself (``DatastoreDestination``). Files stream from disk in
/// bounded memory whatever their size; small ones are read once, hashed and
/// sent from memory.
///
/// Against Nachet's own backend (``APIEndpoint/Dialect/legacy``, or found
/// so at the first request), see `APIDestination+Legacy.swift`.
package final class APIDestination: Destination {
    /// Which server answers: found once, at the first request.
    enum Server: Sendable {
        case serve
        case legacy
    }

    package let endpoint: APIEndpoint
    let client: NachetAPIClient
    let logger: Logger
    private let server = Mutex<Server?>(nil)
    /// The picture sets this destination found or made, by id: the API has
    /// no route to look one set up by id alone.
    private let knownSets = Mutex<[UUID: PictureSetRecord]>([:])
    /// What the legacy dialect needs of its own (few uploads in flight,
    /// the pictures sent in this run).
    let legacy = LegacyUploads()

    /// A destination sending to `endpoint`.
    ///
    /// - Parameters:
    ///   - connections: Connections kept open to the server: the pictures
    ///     in flight at once.
    ///   - giveUpAfter: The longest any wait for the server may last, and
    ///     how long a request is retried (`--give-up-after`).
    ///   - health: Where each retry's cause is said once, and kept for
    ///     `watch`'s `STATUS=` line.
    /// - Throws: ``ConfigurationError`` when the CA file cannot be read.
    package init(
        endpoint: APIEndpoint, connections: Int = SyncEngine.defaultPicturesInFlight, giveUpAfter: Duration = RetryPolicy.defaultGiveUpAfter,
        health: StoreHealth? = nil, logger: Logger
    ) throws(ConfigurationError) {
        self.endpoint = endpoint
        self.logger = logger
        client = try NachetAPIClient(endpoint: endpoint, connections: connections, giveUpAfter: giveUpAfter, health: health, logger: logger)
        // Files are read and sent in 1 MiB pieces: given back when freed.
        LargeBuffers.configure()
        if endpoint.dialect == .legacy { server.withLock { $0 = .legacy } }
    }

    /// The API's URL: holds no secret, and names this destination in the
    /// state file.
    package var location: String { endpoint.location }

    /// The set is made with its folder marker, and a picture with its row
    /// and blob, each by one request: nothing is written between them.
    package var writeSteps: [WriteStep] { Self.writeSteps }

    /// ``writeSteps``, known before a destination is made.
    package static let writeSteps: [WriteStep] = [.pictureSetRow, .folderState, .staged, .pictureBlob, .fileState]

    /// None yet: the service is known by its URL.
    package func identity() async throws -> DestinationIdentity.Intrinsic {
        DestinationIdentity.Intrinsic(catalogue: nil, blobStore: nil)
    }

    /// Closes the connections to the server.
    package func close() async { await client.shutdown() }

    /// `serve` or Nachet's backend, asked once: `serve` answers `GET
    /// /health` with its JSON document; Nachet's backend with text, or not at all.
    func currentServer() async throws(APIError) -> Server {
        if let known = server.withLock({ $0 }) { return known }
        let found: Server
        do {
            let answer = try await client.send(.GET, "/health")
            found = (try? JSONDecoder().decode(NachetWire.HealthAnswer.self, from: Data(answer.body.readableBytesView))) != nil ? .serve : .legacy
        } catch where error.code == .unexpected || error.code == .refused {
            found = .legacy
        }
        server.withLock { $0 = found }
        if found == .legacy {
            logger.notice(
                "the server at this address is Nachet's own backend: uploading with its legacy routes (no duplicate detection by the server; a crash between a send and its record may store that picture twice)",
                metadata: ["api": "\(location)"])
        } else {
            logger.info("uploading through nachet-sync serve", metadata: ["api": "\(location)"])
        }
        return found
    }

    package func user(email: String) async throws -> CatalogueUser? {
        _ = try await currentServer()
        do {
            let answer = try await client.send(.POST, "/get-user-id", body: try Self.json(["email": email]))
            let id = try uuid(answer.decoded(NachetWire.UserIDAnswer.self, from: location).user_id)
            return CatalogueUser(id: id, email: email, defaultSetID: nil)
        } catch where Self.isUnknown(error, .unknownUser) {
            return nil
        }
    }

    /// The user with `id`, found through `/get-directories` (the API has no
    /// route for a user by id); the user's sets are remembered on the way.
    package func user(id: UUID) async throws -> CatalogueUser? {
        guard let folders = try await directories(of: id) else { return nil }
        remember(folders, owner: id)
        return CatalogueUser(id: id, email: id.lowercased, defaultSetID: nil)
    }

    package func seeds() async throws -> [Seed] {
        _ = try await currentServer()
        let answer = try await client.send(.GET, "/seeds")
        return try answer.decoded(NachetWire.SeedsAnswer.self, from: location).seeds.compactMap { entry in
            UUID(uuidString: entry.seed_id).map { Seed(id: $0, name: entry.seed_name) }
        }
    }

    /// The set, when this destination found or made it since it started;
    /// else `nil`, and the engine finds it again by owner and name
    /// (``findOrCreatePictureSet(_:)``), which costs one request.
    package func pictureSet(id: UUID) async throws -> PictureSetRecord? {
        knownSets.withLock { $0[id] }
    }

    /// Asks `/get-directories` once per owner; a set whose owner the state
    /// file does not know is taken as existing.
    package func existingPictureSets(among ids: [UUID], owners: [UUID: UUID]) async throws -> Set<UUID> {
        var existing = Set(ids.filter { owners[$0] == nil })
        for owner in Set(owners.values) {
            let folders = try await directories(of: owner) ?? []
            remember(folders, owner: owner)
            existing.formUnion(folders.compactMap { UUID(uuidString: $0.picture_set_id) }.filter(ids.contains))
        }
        return existing
    }

    package func findOrCreatePictureSet(_ request: NewPictureSet) async throws -> (set: PictureSetRecord, created: Bool) {
        let found: (set: PictureSetRecord, created: Bool)
        switch try await currentServer() {
        case .serve:
            let answer = try await client.send(.POST, "/new-batch-import", body: try Self.json(Self.batchImport(request)))
            let id = try uuid(answer.decoded(NachetWire.SessionAnswer.self, from: location).session_id)
            found = (
                PictureSetRecord(id: id, ownerID: request.ownerID, name: request.name, numberOfImages: 0),
                answer.headers.first(name: NachetWire.Header.sessionCreated) == "true"
            )
        case .legacy:
            found = try await findOrCreateLegacySet(request)
        }
        knownSets.withLock { $0[found.set.id] = found.set }
        return found
    }

    /// Nothing to do: the server made the set's folder with the set.
    package func prepareFolder(of set: PictureSetRecord) async throws {}

    /// Users sign up in Nachet itself; the API registers none.
    package func registerUser(email: String) async throws -> (user: CatalogueUser, created: Bool) {
        throw SyncRunError("users are registered in Nachet itself, not through \(location)")
    }

    /// None: the server answers for its datastore, which the agent cannot
    /// read below the API (its own check covers it).
    package var holdings: (any SetHoldings)? { nil }

    /// Sends the file as a picture of `set`.
    ///
    /// Against `serve`: the file is hashed (small files kept in memory from
    /// that read), then sent to `/upload-picture-raw` with its SHA-256,
    /// streamed from disk when large. The server checks the bytes against
    /// the hash and stores them unless the set holds them: a crash before
    /// the caller's state record only means the file is sent again, and
    /// answered with the same picture.
    package func store(
        _ content: FingerprintedContent,
        as picture: PictureDraft,
        in set: PictureSetRecord,
        afterWrite: @escaping @Sendable (WriteStep) throws -> Void
    ) async throws -> StoredPicture {
        if try await currentServer() == .legacy {
            return try await storeLegacy(content, as: picture, in: set, afterWrite: afterWrite)
        }
        try afterWrite(.staged)
        var query = [
            ("container_name", set.ownerID.lowercased), ("session_id", set.id.lowercased), ("seed_id", picture.seed.id.lowercased),
            ("file_name", picture.fileName),
        ]
        if let zoom = picture.zoom { query.append(("zoom_level", "\(zoom)")) }
        if let count = picture.seedCount { query.append(("nb_seeds", "\(count)")) }
        if !picture.description.isEmpty { query.append(("description", picture.description)) }
        let body = try Self.body(of: content)
        let answer: NachetAPIClient.Answer
        do {
            answer = try await client.send(
                .POST, "/upload-picture-raw", query: query, headers: [(NachetWire.Header.contentSHA256, content.sha256.hex)], body: body)
        } catch {
            if error.code == .refused && error.serverCode == .unknownSession { forget(set) }
            throw error
        }
        let stored = try answer.decoded(NachetWire.RawUploadAnswer.self, from: location)
        try afterWrite(.pictureBlob)
        return StoredPicture(
            pictureID: try uuid(stored.picture_id), sha256: content.sha256, isNew: stored.created)
    }

    /// Files up to 4 MiB are read once, kept in memory and sent from there;
    /// larger ones stream from disk. Sending is staging: a copy of a picture
    /// the set holds is answered by the server, without a second picture.
    package func stagingPlan(forSize size: Int64) -> StagingPlan {
        StagingPlan(sendsBytes: true, keepsInMemoryUpTo: StagingPlan.keptFileSize)
    }

    /// None: bytes are sent from memory or from their file.
    package func makeStagingFile(expectedSize: Int64) throws -> StagingFile? { nil }

    /// A request body sending the content's bytes, from memory or from
    /// their file.
    static func body(of content: FingerprintedContent) throws -> NachetAPIClient.Body {
        switch content.bytes {
        case .memory(let bytes): return .bytes(bytes)
        case .file(let file), .privateFile(let file): return .file(file, size: content.size)
        case .staged(let staging): return .file(try SourceFile.open(path: staging.path), size: content.size)
        }
    }

    // MARK: - Helpers

    /// The user's sets (`/get-directories`), or `nil` when the user is unknown.
    func directories(of owner: UUID) async throws(APIError) -> [NachetWire.DirectoriesAnswer.Folder]? {
        _ = try await currentServer()
        do {
            let answer = try await client.send(.POST, "/get-directories", body: try Self.json(["container_name": owner.lowercased]))
            return try answer.decoded(NachetWire.DirectoriesAnswer.self, from: location).folders
        } catch where Self.isUnknown(error, .unknownUser) {
            return nil
        }
    }

    /// Remembers the named sets of `folders`, owned by `owner`.
    func remember(_ folders: [NachetWire.DirectoriesAnswer.Folder], owner: UUID) {
        knownSets.withLock { known in
            for folder in folders {
                guard let id = UUID(uuidString: folder.picture_set_id) else { continue }
                known[id] = PictureSetRecord(id: id, ownerID: owner, name: folder.folder_name, numberOfImages: folder.nb_pictures)
            }
        }
    }

    /// Forgets a set the server no longer knows: the next pass finds or
    /// makes it again.
    func forget(_ set: PictureSetRecord) {
        _ = knownSets.withLock { $0.removeValue(forKey: set.id) }
    }

    /// `/new-batch-import`'s body for `request`.
    static func batchImport(_ request: NewPictureSet) -> [String: any Sendable] {
        [
            "container_name": request.ownerID.lowercased, "nb_pictures": max(1, request.document.imageData.numberOfImages),
            "folder_name": request.name,
        ]
    }

    /// Whether `error` is the server's "no such user/seed/…": by `serve`'s
    /// code, or by Nachet's message ("… not found …").
    static func isUnknown(_ error: APIError, _ code: NachetWire.ErrorCode) -> Bool {
        error.code == .refused && (error.serverCode == code || (error.serverCode == nil && error.message.lowercased().contains("not found")))
    }

    static func json(_ object: [String: any Sendable]) throws(APIError) -> NachetAPIClient.Body {
        do {
            return .json(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        } catch {
            throw APIError(.refused, "cannot write the request: \(error)")
        }
    }

    /// The id the server answered.
    /// - Throws: ``APIError`` `.unexpected` when `text` is not one.
    func uuid(_ text: String) throws(APIError) -> UUID {
        guard let id = UUID(uuidString: text) else {
            let said = SecretMasking.excerpt(of: text, removing: client.secrets, limit: 60)
            throw APIError(.unexpected, "\(location) answered \"\(said)\" where an id was expected; check --nachet-url")
        }
        return id
    }
}
