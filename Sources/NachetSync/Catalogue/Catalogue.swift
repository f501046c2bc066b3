import Foundation

/// Where rows go: the tables of Nachet's datastore that a batch import touches
/// (`users`, `seed`, `picture_set`, `picture`, `picture_seed`).
///
/// Implementations: ``SQLiteCatalogue`` (the embedded default). Every
/// implementation passes the same contract test suite.
///
/// The two writes a sync makes are idempotent: ``findOrCreatePictureSets(_:)``
/// returns the owner's set of that name when it exists, and
/// ``insertPicturesIfAbsent(_:)`` returns the set's picture with those bytes
/// when it exists. Each is one transaction, so concurrent agents on one
/// catalogue never make a second set for a folder nor a second picture for
/// the same bytes.
///
/// Every call that concerns sets takes many at once (one statement, one
/// round trip): a pass over thousands of small set folders far from the
/// catalogue asks once per batch of sets, never once per set.
package protocol Catalogue: Sendable {
    /// Where the rows live, for messages; never holds a password.
    var location: String { get }

    /// The user registered with `email`, compared by ``EmailKey`` (Unicode
    /// case and form aside), or `nil`.
    ///
    /// - Throws: ``CatalogueError/Code-swift.struct/ambiguousUser`` when
    ///   several users' e-mails have that key: none of them is picked.
    func user(email: String) async throws(CatalogueError) -> CatalogueUser?

    /// The user with `id`, or `nil`.
    func user(id: UUID) async throws(CatalogueError) -> CatalogueUser?

    /// Registers `email` with its default picture set `General`, as Nachet
    /// does for a new user; returns the existing user when one is registered
    /// with an e-mail of the same ``EmailKey`` (whatever its spelling: the
    /// caller compares them).
    ///
    /// - Throws: ``CatalogueError/Code-swift.struct/ambiguousUser`` when
    ///   several users have that key already.
    func registerUser(email: String) async throws(CatalogueError) -> (user: CatalogueUser, created: Bool)

    /// The seed catalogue.
    func seeds() async throws(CatalogueError) -> [Seed]

    /// For each request, the owner's picture set of that name, created when
    /// missing, in one transaction: answers in the order asked (a name
    /// asked twice gets the same set).
    func findOrCreatePictureSets(_ requests: [NewPictureSet]) async throws(CatalogueError) -> [(set: PictureSetRecord, created: Bool)]

    /// Those of the picture sets `ids` that exist, in one query (in no
    /// particular order).
    func pictureSets(among ids: [UUID]) async throws(CatalogueError) -> [PictureSetRecord]

    /// Every picture set of `ownerID`, by day of creation then name (a set's
    /// `upload_date` is a day), each with its pictures, oldest first, and
    /// whether each is validated, as Nachet's web UI lists a user's folders
    /// (`/get-directories`); one query.
    func pictureSetListings(ownerID: UUID) async throws(CatalogueError) -> [PictureSetListing]

    /// The picture with `id`, or `nil`.
    func picture(id: UUID) async throws(CatalogueError) -> PictureRecord?

    /// The set's picture whose content has `sha256`, or `nil`: a copy of a
    /// stored picture is found with this before its bytes are sent anywhere.
    func picture(withSHA256 sha256: ContentHash, inSet setID: UUID) async throws(CatalogueError) -> PictureRecord?

    /// Inserts pictures of one or more sets, each with its `picture_seed`
    /// row, and each set's new `number_of_images`, in one transaction: all or
    /// nothing. A picture whose SHA-256 its set already holds, or an earlier
    /// picture of the batch for the same set has, writes nothing and is
    /// answered with that picture.
    ///
    /// - Returns: One insertion per picture, in order.
    /// - Throws: ``CatalogueError/Code-swift.struct/notFound`` when a set of
    ///   the batch is gone (nothing of the batch is written).
    func insertPicturesIfAbsent(_ pictures: [NewPicture]) async throws(CatalogueError) -> [PictureInsertion]

    /// Every picture of the set, oldest first.
    func pictures(inSet setID: UUID) async throws(CatalogueError) -> [PictureRecord]

    /// The ids of every picture of each set, in no particular order, in one
    /// query that reads no picture document: what the datastore check asks
    /// for a batch of sets (``pictures(inSet:)`` reads two fields of each
    /// document, and sorts). A set without pictures, or gone, has none.
    func pictureIDs(inSets setIDs: [UUID]) async throws(CatalogueError) -> [UUID: [UUID]]

    /// What the catalogue is, read from itself, whatever address reaches
    /// it (``DestinationIdentity``): `nil` when it offers nothing of the
    /// kind (then it is known by its address, and by what it holds).
    func identity() async throws(CatalogueError) -> String?

    /// Closes the connection and its descriptors: the catalogue is done
    /// (a reload replaces it). Later calls fail.
    func close() async
}

extension Catalogue {
    /// The owner's picture set named `request.name`, created when missing
    /// (``findOrCreatePictureSets(_:)`` for one).
    package func findOrCreatePictureSet(_ request: NewPictureSet) async throws(CatalogueError) -> (set: PictureSetRecord, created: Bool) {
        guard let found = try await findOrCreatePictureSets([request]).first else {
            throw CatalogueError(.writeFailed, "the picture set was not written")
        }
        return found
    }

    /// The picture set with `id`, or `nil` (``pictureSets(among:)`` for one).
    package func pictureSet(id: UUID) async throws(CatalogueError) -> PictureSetRecord? {
        try await pictureSets(among: [id]).first { $0.id == id }
    }

    /// Which of the picture sets `ids` exist, in one query.
    package func existingPictureSets(among ids: [UUID]) async throws(CatalogueError) -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        return Set(try await pictureSets(among: ids).map(\.id))
    }

    /// The ids of every picture of the set (``pictureIDs(inSets:)`` for one).
    package func pictureIDs(inSet setID: UUID) async throws(CatalogueError) -> [UUID] {
        try await pictureIDs(inSets: [setID])[setID] ?? []
    }

    /// Inserts one picture, as ``insertPicturesIfAbsent(_:)`` does.
    package func insertPictureIfAbsent(_ picture: NewPicture) async throws(CatalogueError) -> PictureInsertion {
        guard let insertion = try await insertPicturesIfAbsent([picture]).first else {
            throw CatalogueError(.writeFailed, "the picture row was not written")
        }
        return insertion
    }
}

/// A row of `users`.
package struct CatalogueUser: Sendable, Hashable {
    package var id: UUID
    package var email: String
    /// The user's `General` picture set.
    package var defaultSetID: UUID?

    package init(id: UUID, email: String, defaultSetID: UUID?) {
        self.id = id
        self.email = email
        self.defaultSetID = defaultSetID
    }
}

/// A row of `seed`.
package struct Seed: Sendable, Hashable {
    package var id: UUID
    package var name: String

    package init(id: UUID, name: String) {
        self.id = id
        self.name = name
    }
}

/// What is needed to create a `picture_set` row.
package struct NewPictureSet: Sendable {
    /// The owner's user id.
    package var ownerID: UUID
    /// The set's name, which is also its blob folder.
    package var name: String
    /// The `picture_set` JSON document for a new set.
    package var document: PictureSetDocument

    package init(ownerID: UUID, name: String, document: PictureSetDocument) {
        self.ownerID = ownerID
        self.name = name
        self.document = document
    }
}

/// A row of `picture_set`.
package struct PictureSetRecord: Sendable, Hashable {
    package var id: UUID
    package var ownerID: UUID
    package var name: String?
    /// `image_data_picture_set.number_of_images` of its JSON document.
    package var numberOfImages: Int

    package init(id: UUID, ownerID: UUID, name: String?, numberOfImages: Int) {
        self.id = id
        self.ownerID = ownerID
        self.name = name
        self.numberOfImages = numberOfImages
    }

    /// The record of the set `request` describes, just inserted as `id`.
    package init(id: UUID, creating request: NewPictureSet) {
        self.init(id: id, ownerID: request.ownerID, name: request.name, numberOfImages: request.document.imageData.numberOfImages)
    }

    /// The blob folder of the set: its name or, when it has none, its id.
    package var folderName: String { name ?? id.lowercased }
}

/// What is needed to create a `picture` row and its `picture_seed` row.
package struct NewPicture: Sendable {
    /// The id, chosen before the insert because the blob name and `link` derive from it.
    package var id: UUID
    package var setID: UUID
    package var seedID: UUID
    /// The `picture` JSON document.
    package var document: PictureDocument

    package init(id: UUID, setID: UUID, seedID: UUID, document: PictureDocument) {
        self.id = id
        self.setID = setID
        self.seedID = seedID
        self.document = document
    }
}

/// A row of `picture`, with what the agent keeps in its JSON.
package struct PictureRecord: Sendable, Hashable {
    package var id: UUID
    package var setID: UUID
    /// `sha256` of the JSON document; `nil` for pictures Nachet's web import made.
    package var sha256: ContentHash?
    /// `file_name` of the JSON document.
    package var fileName: String?

    package init(id: UUID, setID: UUID, sha256: ContentHash?, fileName: String?) {
        self.id = id
        self.setID = setID
        self.sha256 = sha256
        self.fileName = fileName
    }
}

/// The outcome of ``Catalogue/insertPictureIfAbsent(_:)``.
package enum PictureInsertion: Sendable, Hashable {
    /// The picture was inserted.
    case inserted(PictureRecord)
    /// The set already had a picture with these bytes; nothing was written.
    case existing(PictureRecord)

    /// Whether this call inserted the picture.
    package var wasInserted: Bool {
        if case .inserted = self { return true }
        return false
    }

    /// The picture now in the set.
    package var record: PictureRecord {
        switch self {
        case .inserted(let record), .existing(let record): record
        }
    }
}
