import Foundation

/// The embedded catalogue: Nachet's tables in one SQLite file, created with
/// the default seeds on first use. Lets a lab run the agent with no server.
package final class SQLiteCatalogue: Catalogue {
    package var location: String { database.path }
    private let database: SQLiteDatabase

    /// Opens the catalogue file at `path`, creating it and its tables when missing.
    ///
    /// - Parameter expected: What the state file says was stored in it: a
    ///   file then gone, empty, or holding no picture is refused, never made
    ///   anew (``refuseLost(_:expected:)``, ``refuseEmptied(_:expected:)``).
    ///   A damaged file is refused whatever the state file says.
    package init(path: String, expected: Expected? = nil) throws(CatalogueError) {
        try Self.refuseLost(path, expected: expected)
        do {
            database = try SQLiteDatabase(path: path)
            try database.executeScript("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            try Self.refuseEmptied(database, expected: expected)
            try database.executeScript(Self.schema)
            try database.transaction {
                let count = try database.query("SELECT count(*) FROM seed").first?[0].integer ?? 0
                guard count == 0 else { return }
                for name in DefaultSeeds.names {
                    try database.query(
                        "INSERT INTO seed (id, name, object_type_id) VALUES (?, ?, ?)",
                        .text(UUID().lowercased), .text(name), .integer(Int64(DefaultSeeds.seedObjectTypeID))
                    )
                }
            }
        } catch let error as SQLiteError where error.isDamage {
            throw Self.damaged(path, error)
        } catch {
            throw Self.catalogueError(error, .unavailable, doing: "open the catalogue")
        }
    }

    /// Closes the file (the catalogue is replaced or done).
    package func close() async {
        database.close()
    }

    package func user(email: String) async throws(CatalogueError) -> CatalogueUser? {
        try await read("look up a user") { [self] in try user(email: email, in: database) }
    }

    /// The user `email` names (``EmailKey``). SQLite's `lower()` folds ASCII
    /// only: it finds the addresses written in ASCII, and every address
    /// holding another character (more bytes than characters) is read to be
    /// compared in Swift.
    private func user(email: String, in database: SQLiteDatabase) throws -> CatalogueUser? {
        let key = EmailKey(email)
        let candidates = try database.query(
            """
            SELECT id, email, default_set_id FROM users
            WHERE lower(email) = lower(?) OR length(CAST(email AS BLOB)) <> length(email)
            ORDER BY registration_date
            """,
            .text(key.text)
        ).compactMap(Self.user)
        return try key.user(among: candidates, asked: email)
    }

    package func user(id: UUID) async throws(CatalogueError) -> CatalogueUser? {
        try await read("look up a user") { [self] in
            try database.query("SELECT id, email, default_set_id FROM users WHERE id = ?", .text(id.lowercased))
                .first.flatMap(Self.user)
        }
    }

    package func registerUser(email: String) async throws(CatalogueError) -> (user: CatalogueUser, created: Bool) {
        try await write("register a user") { [self] in
            if let existing = try user(email: email, in: database) { return (existing, false) }
            let userID = UUID()
            let setID = UUID()
            try database.query("INSERT INTO users (id, email) VALUES (?, ?)", .text(userID.lowercased), .text(email))
            try database.query(
                "INSERT INTO picture_set (id, picture_set, owner_id, name) VALUES (?, ?, ?, ?)",
                .text(setID.lowercased), .text(PictureSetDocument(createdBy: userID).json), .text(userID.lowercased),
                .text(BlobLayout.defaultFolderName)
            )
            try database.query(
                "UPDATE users SET default_set_id = ? WHERE id = ?",
                .text(setID.lowercased), .text(userID.lowercased)
            )
            return (CatalogueUser(id: userID, email: email, defaultSetID: setID), true)
        }
    }

    package func seeds() async throws(CatalogueError) -> [Seed] {
        try await read("read the seed catalogue") { [self] in
            try database.query("SELECT id, name FROM seed ORDER BY name").compactMap { row in
                guard let id = row[0].text.flatMap(UUID.init(uuidString:)), let name = row[1].text else { return nil }
                return Seed(id: id, name: name)
            }
        }
    }

    package func findOrCreatePictureSets(_ requests: [NewPictureSet]) async throws(CatalogueError)
        -> [(set: PictureSetRecord, created: Bool)]
    {
        let names = SetNames(requests)
        guard !names.unique.isEmpty else { return [] }
        return try await write("create the picture sets") { [self] in
            var found: [SetNames.Key: (PictureSetRecord, Bool)] = [:]
            for request in names.unique {
                let key = SetNames.Key(owner: request.ownerID, name: request.name)
                if let existing = try database.query(
                    "SELECT id, owner_id, name, picture_set FROM picture_set WHERE owner_id = ? AND name = ? ORDER BY upload_date, id LIMIT 1",
                    .text(request.ownerID.lowercased), .text(request.name)
                ).first.flatMap(Self.pictureSet) {
                    found[key] = (existing, false)
                    continue
                }
                let id = UUID()
                try database.query(
                    "INSERT INTO picture_set (id, picture_set, owner_id, name) VALUES (?, ?, ?, ?)",
                    .text(id.lowercased), .text(request.document.json), .text(request.ownerID.lowercased), .text(request.name)
                )
                found[key] = (PictureSetRecord(id: id, creating: request), true)
            }
            return try names.answers { key in
                guard let (set, created) = found[key] else { throw CatalogueError(.writeFailed, "the picture set \(key.name) was not written") }
                return (set, created)
            }
        }
    }

    package func pictureSets(among ids: [UUID]) async throws(CatalogueError) -> [PictureSetRecord] {
        guard !ids.isEmpty else { return [] }
        let list = Self.jsonList(ids)
        return try await read("read picture sets") { [self] in
            try database.query(
                "SELECT id, owner_id, name, picture_set FROM picture_set WHERE id IN (SELECT value FROM json_each(?))", .text(list)
            ).compactMap(Self.pictureSet)
        }
    }

    /// `ids` as a JSON list of lower-case strings, for `json_each(?)`: one
    /// parameter however many ids.
    private static func jsonList(_ ids: [UUID]) -> String {
        "[" + ids.map { "\"\($0.lowercased)\"" }.joined(separator: ",") + "]"
    }

    package func pictureSetListings(ownerID: UUID) async throws(CatalogueError) -> [PictureSetListing] {
        try await read("list the picture sets of a user") { [self] in
            let rows = try database.query(
                """
                SELECT s.id, s.owner_id, s.name, s.picture_set, p.id,
                    EXISTS (SELECT 1 FROM picture_seed l WHERE l.picture_id = p.id)
                FROM picture_set s LEFT JOIN picture p ON p.picture_set_id = s.id
                WHERE s.owner_id = ? ORDER BY s.upload_date, s.name, s.id, p.upload_date, p.rowid
                """,
                .text(ownerID.lowercased)
            )
            return PictureSetListing.grouping(
                rows.compactMap { row in
                    Self.pictureSet(row).map { ($0, row[4].text.flatMap(UUID.init(uuidString:)), row[5].integer == 1) }
                })
        }
    }

    package func picture(id: UUID) async throws(CatalogueError) -> PictureRecord? {
        try await read("look up a picture") { [self] in
            try database.query(
                """
                SELECT id, picture_set_id, json_extract(picture, '$.sha256'), json_extract(picture, '$.file_name')
                FROM picture WHERE id = ?
                """,
                .text(id.lowercased)
            ).first.flatMap(Self.picture)
        }
    }

    package func picture(withSHA256 sha256: ContentHash, inSet setID: UUID) async throws(CatalogueError) -> PictureRecord? {
        try await read("look up a picture") { [self] in try pictureRow(withSHA256: sha256.hex, inSet: setID.lowercased) }
    }

    private func pictureRow(withSHA256 sha256: String, inSet set: String) throws -> PictureRecord? {
        try database.query(
            """
            SELECT id, picture_set_id, json_extract(picture, '$.sha256'), json_extract(picture, '$.file_name')
            FROM picture WHERE picture_set_id = ? AND json_extract(picture, '$.sha256') = ? LIMIT 1
            """,
            .text(set), .text(sha256)
        ).first.flatMap(Self.picture)
    }

    package func insertPicturesIfAbsent(_ pictures: [NewPicture]) async throws(CatalogueError) -> [PictureInsertion] {
        guard !pictures.isEmpty else { return [] }
        let sets = Set(pictures.map(\.setID)).map(\.lowercased).sorted()
        return try await write("record the pictures") { [self] in
            for set in sets {
                guard try !database.query("SELECT 1 FROM picture_set WHERE id = ?", .text(set)).isEmpty else {
                    throw CatalogueError(.notFound, "picture set \(set) is no longer in the catalogue \(location)")
                }
            }
            var insertions: [PictureInsertion] = []
            var counted = Set<String>()
            for picture in pictures {
                let set = picture.setID.lowercased
                if let existing = try pictureRow(withSHA256: picture.document.sha256, inSet: set) {
                    insertions.append(.existing(existing))
                    continue
                }
                try database.query(
                    "INSERT INTO picture (id, picture, picture_set_id, nb_obj) VALUES (?, ?, ?, 0)",
                    .text(picture.id.lowercased), .text(picture.document.json), .text(set)
                )
                try database.query(
                    "INSERT INTO picture_seed (id, picture_id, seed_id) VALUES (?, ?, ?)",
                    .text(UUID().lowercased), .text(picture.id.lowercased), .text(picture.seedID.lowercased)
                )
                counted.insert(set)
                insertions.append(
                    .inserted(
                        PictureRecord(
                            id: picture.id, setID: picture.setID, sha256: ContentHash(hex: picture.document.sha256),
                            fileName: picture.document.fileName)))
            }
            for set in counted.sorted() {
                try database.query(
                    """
                    UPDATE picture_set SET picture_set = json_set(picture_set, '$.image_data_picture_set.number_of_images',
                        (SELECT count(*) FROM picture WHERE picture_set_id = ?1)) WHERE id = ?1
                    """,
                    .text(set)
                )
            }
            return insertions
        }
    }

    package func pictures(inSet setID: UUID) async throws(CatalogueError) -> [PictureRecord] {
        try await read("list the pictures of a set") { [self] in
            try database.query(
                """
                SELECT id, picture_set_id, json_extract(picture, '$.sha256'), json_extract(picture, '$.file_name')
                FROM picture WHERE picture_set_id = ? ORDER BY upload_date, rowid
                """,
                .text(setID.lowercased)
            ).compactMap(Self.picture)
        }
    }

    package func pictureIDs(inSets setIDs: [UUID]) async throws(CatalogueError) -> [UUID: [UUID]] {
        guard !setIDs.isEmpty else { return [:] }
        let list = Self.jsonList(setIDs)
        return try await read("list the pictures of the sets") { [self] in
            var ids: [UUID: [UUID]] = [:]
            try database.forEachRow(
                "SELECT picture_set_id, id FROM picture WHERE picture_set_id IN (SELECT value FROM json_each(?))", .text(list)
            ) { row in
                guard let set = row[0].text.flatMap(UUIDText.parse), let id = row[1].text.flatMap(UUIDText.parse) else { return }
                ids[set, default: []].append(id)
            }
            return ids
        }
    }

    /// None: an embedded file is known by its path.
    package func identity() async throws(CatalogueError) -> String? { nil }

    // MARK: - Rows

    private static func user(_ row: SQLiteRow) -> CatalogueUser? {
        guard let id = row[0].text.flatMap(UUID.init(uuidString:)), let email = row[1].text else { return nil }
        return CatalogueUser(id: id, email: email, defaultSetID: row[2].text.flatMap(UUID.init(uuidString:)))
    }

    private static func pictureSet(_ row: SQLiteRow) -> PictureSetRecord? {
        guard let id = row[0].text.flatMap(UUID.init(uuidString:)),
            let owner = row[1].text.flatMap(UUID.init(uuidString:))
        else { return nil }
        let document = row[3].text.flatMap { try? JSONDecoder().decode(PictureSetDocument.self, from: Data($0.utf8)) }
        return PictureSetRecord(id: id, ownerID: owner, name: row[2].text, numberOfImages: document?.imageData.numberOfImages ?? 0)
    }

    private static func picture(_ row: SQLiteRow) -> PictureRecord? {
        guard let id = row[0].text.flatMap(UUIDText.parse),
            let set = row[1].text.flatMap(UUIDText.parse)
        else { return nil }
        return PictureRecord(id: id, setID: set, sha256: row[2].text.flatMap(ContentHash.init(hex:)), fileName: row[3].text)
    }

    // MARK: - Errors

    /// Runs `body` on the database's queue, off Swift's cooperative threads.
    private func read<T: Sendable>(_ action: String, _ body: @escaping @Sendable () throws -> T) async throws(CatalogueError) -> T {
        do {
            return try await database.perform(body)
        } catch {
            throw Self.catalogueError(error, .unavailable, doing: action, location: location)
        }
    }

    /// Runs `body` in one transaction on the database's queue.
    private func write<T: Sendable>(_ action: String, _ body: @escaping @Sendable () throws -> T) async throws(CatalogueError) -> T {
        do {
            return try await database.perform { [database] in try database.transaction(body) }
        } catch {
            throw Self.catalogueError(error, .writeFailed, doing: action, location: location)
        }
    }

    private static func catalogueError(
        _ error: any Error,
        _ code: CatalogueError.Code,
        doing action: String,
        location: String? = nil
    ) -> CatalogueError {
        if let error = error as? CatalogueError { return error }
        let place = location.map { " in \($0)" } ?? ""
        return CatalogueError(code, "cannot \(action)\(place): \(error)")
    }
}
