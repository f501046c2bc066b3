import Foundation

/// Nachet's production catalogue: its PostgreSQL database, through libpq.
///
/// Works on an unmodified Nachet schema with INSERT, SELECT and UPDATE rights
/// only. Ids are chosen by the agent (the picture id names its blob before the
/// row exists), so the tables' `uuid_generate_v4()` or `gen_random_uuid()`
/// defaults are not needed.
///
/// **Many agents, one database.** Two agents may sync the same folder (or a
/// copy) into one database. Without a unique index on the hash (which would be
/// a schema change), "look for the hash, insert if absent" must be serialised:
///
/// - a picture is inserted after `SELECT … FOR UPDATE` on its `picture_set`
///   row. That row lock serialises the inserts of one set across agents, and
///   the next statement's snapshot, taken after the lock is granted, sees what
///   the previous holder committed. It also keeps `number_of_images` exact: a
///   recount under the lock cannot miss a concurrent insert, where an advisory
///   lock on (set, sha256) would let two different pictures recount at once.
///   Sets are small and each transaction short, so the serialisation costs
///   little; other sets are not affected.
/// - a picture set is created under a transaction-scoped advisory lock keyed on
///   (owner, name), since there is no row to lock before it exists; likewise a
///   user under one keyed on the e-mail.
package final class PostgresCatalogue: Catalogue {
    package var location: String { "PostgreSQL " + connection.displayName }
    private let connection: PostgresConnection

    /// Prepares a catalogue on `connectionString`; connects on first use.
    ///
    /// - Parameters:
    ///   - connectionString: A libpq URL (`postgresql://user@host/db`) or
    ///     `key=value` string.
    ///   - schema: The schema holding Nachet's tables (`NACHET_SCHEMA`); the
    ///     search path becomes `<schema>, public` as in Nachet.
    ///   - retry: When given, a server that cannot be reached is tried again
    ///     until the give-up time; else the first failure is thrown.
    ///   - health: Where each new cause of failure is said at once.
    package init(connectionString: String, schema: String?, retry: RetryPolicy? = nil, health: StoreHealth? = nil) {
        connection = PostgresConnection(connectionString: connectionString, schema: schema, retry: retry, health: health) { session in
            try Self.checkServer(session, schema: schema, requireTables: true)
        }
    }

    /// Creates Nachet's tables and the default seeds where missing, in the
    /// schema (created too) or the database's default schema. Idempotent.
    /// - Returns: The number of seeds inserted (0 when there were some).
    package static func initialize(connectionString: String, schema: String?) async throws(CatalogueError) -> Int {
        let connection = PostgresConnection(connectionString: connectionString, schema: nil)
        do {
            return try await connection.withSession { session in
                try checkServer(session, schema: nil, requireTables: false)
                return try session.transaction {
                    if let schema {
                        let statement = try session.query("SELECT format('CREATE SCHEMA IF NOT EXISTS %I', $1::text)", schema)
                        try session.query(statement[0][0] ?? "")
                        try session.query("SELECT set_config('search_path', quote_ident($1) || ', public', true)", schema)
                    }
                    for statement in initStatements { try session.query(statement) }
                    let inserted = try session.query(
                        """
                        INSERT INTO seed (name, object_type_id)
                        SELECT name, \(DefaultSeeds.seedObjectTypeID) FROM unnest($1::text[]) WITH ORDINALITY AS s(name, position)
                        WHERE NOT EXISTS (SELECT 1 FROM seed) ORDER BY position
                        RETURNING id
                        """,
                        PostgresArray.text(DefaultSeeds.names)
                    )
                    return inserted.count
                }
            }
        } catch {
            throw Self.catalogueError(error, doing: "initialise the database", location: connection.displayName)
        }
    }

    package func user(email: String) async throws(CatalogueError) -> CatalogueUser? {
        try await run("look up a user") { session in try Self.user(email: email, in: session) }
    }

    /// The user `email` names (``EmailKey``). The addresses written in
    /// ASCII are compared in ASCII lower case by SQL (`translate`, which,
    /// unlike `lower()`, does not depend on the database's locale); every
    /// address holding another character (more bytes than characters) is
    /// read to be compared in Swift.
    private static func user(email: String, in session: PostgresSession) throws -> CatalogueUser? {
        let key = EmailKey(email)
        let candidates = try session.query(
            """
            SELECT id, email, default_set_id FROM users
            WHERE translate(email, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = $1
               OR octet_length(email) <> char_length(email)
            ORDER BY registration_date
            """,
            key.text
        ).compactMap(Self.user)
        return try key.user(among: candidates, asked: email)
    }

    package func user(id: UUID) async throws(CatalogueError) -> CatalogueUser? {
        try await run("look up a user") { session in
            try session.query("SELECT id, email, default_set_id FROM users WHERE id = $1::uuid", id.lowercased).first.flatMap(Self.user)
        }
    }

    package func registerUser(email: String) async throws(CatalogueError) -> (user: CatalogueUser, created: Bool) {
        try await run("register a user") { session in
            try session.transaction {
                try session.query("SELECT pg_advisory_xact_lock(hashtextextended('nachet-sync/user/' || $1, 0))", EmailKey(email).text)
                if let existing = try Self.user(email: email, in: session) { return (existing, false) }
                let userID = UUID()
                let setID = UUID()
                try session.query("INSERT INTO users (id, email) VALUES ($1::uuid, $2)", userID.lowercased, email)
                try session.query(
                    "INSERT INTO picture_set (id, picture_set, owner_id, name) VALUES ($1::uuid, $2::json, $3::uuid, $4)",
                    setID.lowercased, PictureSetDocument(createdBy: userID).json, userID.lowercased, BlobLayout.defaultFolderName
                )
                try session.query("UPDATE users SET default_set_id = $1::uuid WHERE id = $2::uuid", setID.lowercased, userID.lowercased)
                return (CatalogueUser(id: userID, email: email, defaultSetID: setID), true)
            }
        }
    }

    package func seeds() async throws(CatalogueError) -> [Seed] {
        try await run("read the seed catalogue") { session in
            try session.query("SELECT id, name FROM seed ORDER BY name").compactMap { row in
                guard let id = row[0].flatMap(UUID.init(uuidString:)), let name = row[1] else { return nil }
                return Seed(id: id, name: name)
            }
        }
    }

    /// One transaction, sent in one round trip whatever the number of sets:
    /// the advisory lock of each (owner, name) is taken first, in one order
    /// (sorted by owner and name, so two agents locking overlapping batches
    /// never wait for each other in a cycle); the statements after it take
    /// their snapshots once the locks are held, so they see every set
    /// committed before, by this agent or another. The missing sets are
    /// inserted, then every asked set is read back (the first made, for a
    /// name held twice).
    package func findOrCreatePictureSets(_ requests: [NewPictureSet]) async throws(CatalogueError)
        -> [(set: PictureSetRecord, created: Bool)]
    {
        let names = SetNames(requests)
        guard !names.unique.isEmpty else { return [] }
        let unique = names.unique
        return try await run("create the picture sets") { session in
            let owners = PostgresArray.text(unique.map(\.ownerID.lowercased))
            let setNames = PostgresArray.text(unique.map(\.name))
            let results = try session.pipeline([
                .init("BEGIN"),
                .init(
                    """
                    SELECT pg_advisory_xact_lock(hashtextextended('nachet-sync/picture_set/' || o || '/' || n, 0))
                    FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(o, n, i) ORDER BY i
                    """, owners, setNames),
                .init(
                    """
                    INSERT INTO picture_set (id, picture_set, owner_id, name)
                    SELECT r.id, r.document::json, r.owner, r.name FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[]) AS r(owner, name, id, document)
                    WHERE NOT EXISTS (SELECT 1 FROM picture_set s WHERE s.owner_id = r.owner AND s.name = r.name)
                    RETURNING id
                    """,
                    owners, setNames, PostgresArray.text(unique.map { _ in UUID().lowercased }),
                    PostgresArray.text(unique.map(\.document.json))),
                .init(
                    Self.pictureSetColumns + """
                         WHERE (owner_id, name) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))
                        ORDER BY owner_id, name, upload_date, id
                        """, owners, setNames),
                .init("COMMIT"),
            ])
            let created = Set(results[2].compactMap { $0[0].flatMap(UUID.init(uuidString:)) })
            var found: [SetNames.Key: PictureSetRecord] = [:]
            for set in results[3].compactMap(Self.pictureSet) where set.name != nil {
                let key = SetNames.Key(owner: set.ownerID, name: set.name ?? "")
                if found[key] == nil { found[key] = set }
            }
            return try names.answers { key in
                guard let set = found[key] else { throw CatalogueError(.writeFailed, "the picture set \(key.name) was not written") }
                return (set, created.contains(set.id))
            }
        }
    }

    package func pictureSets(among ids: [UUID]) async throws(CatalogueError) -> [PictureSetRecord] {
        guard !ids.isEmpty else { return [] }
        return try await run("read picture sets") { session in
            try session.query(Self.pictureSetColumns + " WHERE id = ANY($1::uuid[])", PostgresArray.text(ids.map(\.lowercased)))
                .compactMap(Self.pictureSet)
        }
    }

    package func pictureSetListings(ownerID: UUID) async throws(CatalogueError) -> [PictureSetListing] {
        try await run("list the picture sets of a user") { session in
            let rows = try session.query(
                """
                SELECT s.id, s.owner_id, s.name, COALESCE((s.picture_set->'image_data_picture_set'->>'number_of_images')::int, 0),
                    p.id, EXISTS (SELECT 1 FROM picture_seed l WHERE l.picture_id = p.id)
                FROM picture_set s LEFT JOIN picture p ON p.picture_set_id = s.id
                WHERE s.owner_id = $1::uuid ORDER BY s.upload_date, s.name, s.id, p.upload_date, p.id
                """,
                ownerID.lowercased
            )
            return PictureSetListing.grouping(
                rows.compactMap { row in
                    Self.pictureSet(row).map { ($0, row[4].flatMap(UUID.init(uuidString:)), row[5] == "t") }
                })
        }
    }

    package func picture(id: UUID) async throws(CatalogueError) -> PictureRecord? {
        try await run("look up a picture") { session in
            try session.query(
                "SELECT id, picture_set_id, picture->>'sha256', picture->>'file_name' FROM picture WHERE id = $1::uuid",
                id.lowercased
            ).first.flatMap(Self.picture)
        }
    }

    package func picture(withSHA256 sha256: ContentHash, inSet setID: UUID) async throws(CatalogueError) -> PictureRecord? {
        try await run("look up a picture") { session in
            try session.query(
                """
                SELECT id, picture_set_id, picture->>'sha256', picture->>'file_name' FROM picture
                WHERE picture_set_id = $1::uuid AND picture->>'sha256' = $2 LIMIT 1
                """,
                setID.lowercased, sha256.hex
            ).first.flatMap(Self.picture)
        }
    }

    package func insertPicturesIfAbsent(_ pictures: [NewPicture]) async throws(CatalogueError) -> [PictureInsertion] {
        guard !pictures.isEmpty else { return [] }
        let sets = Set(pictures.map(\.setID)).map(\.lowercased).sorted()
        return try await run("record the pictures") { session in
            // One transaction, sent in one round trip whatever the number of
            // pictures and sets. The sets' row locks come first, taken in the
            // order of their ids, so two agents locking overlapping batches
            // never wait for each other in a cycle; the statement after them
            // takes its snapshot once the locks are held, so it sees every
            // picture committed before, by this agent or another. It finds
            // each (set, hash), or inserts the picture and its picture_seed
            // row, and recounts each set once. A set that vanished makes the
            // insert fail on its foreign key. So the batch keeps every
            // guarantee one picture had: rows and counts consistent (one
            // transaction), no duplicate across agents (each set's row lock
            // serialises them), and a re-run after a crash finds the rows of
            // a batch committed, or none of it.
            let results = try session.pipeline([
                .init("BEGIN"),
                .init("SELECT id FROM picture_set WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE", PostgresArray.text(sets)),
                .init(
                    Self.insertPicturesIfAbsent,
                    PostgresArray.text(pictures.map(\.setID.lowercased)),
                    PostgresArray.text(pictures.map(\.id.lowercased)),
                    PostgresArray.text(pictures.map(\.document.json)),
                    PostgresArray.text(pictures.map(\.document.sha256)),
                    PostgresArray.text(pictures.map { _ in UUID().lowercased }),
                    PostgresArray.text(pictures.map(\.seedID.lowercased)),
                    PostgresArray.text(pictures.map(\.document.fileName))
                ),
                .init("COMMIT"),
            ])
            guard results[1].count == sets.count else {
                let present = Set(results[1].compactMap { $0[0] })
                let gone = sets.filter { !present.contains($0) }.joined(separator: ", ")
                throw CatalogueError(.notFound, "picture set \(gone) is no longer in the catalogue")
            }
            let rows = results[2]
            guard rows.count == pictures.count else { throw CatalogueError(.writeFailed, "the picture rows were not written") }
            return try zip(pictures, rows).map { picture, row in
                guard let id = row[0].flatMap(UUID.init(uuidString:)) else {
                    throw CatalogueError(.writeFailed, "the picture row was not written")
                }
                let record = PictureRecord(
                    id: id, setID: picture.setID, sha256: ContentHash(hex: picture.document.sha256),
                    fileName: row[1].flatMap { $0.isEmpty ? nil : $0 })
                return row[2] == "t" ? PictureInsertion.inserted(record) : .existing(record)
            }
        }
    }

    /// For the pictures given as parallel arrays (sets `$1`, ids `$2`,
    /// documents `$3`, hashes `$4`, picture_seed ids `$5`, seeds `$6`, file
    /// names `$7`): finds each (set, hash) among the set's pictures (one
    /// index probe each), else inserts the first picture of the batch with
    /// it and its picture_seed row; sets the `number_of_images` of each set
    /// something was inserted into. Returns, per picture in order, (id of
    /// the picture holding its bytes, its file name, whether this picture
    /// was inserted).
    private static let insertPicturesIfAbsent = """
        WITH input AS (
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::uuid[], $7::text[])
                WITH ORDINALITY AS i(set_id, id, document, sha256, link_id, seed_id, file_name, position)
        ), firsts AS (
            SELECT DISTINCT ON (set_id, sha256) * FROM input ORDER BY set_id, sha256, position
        ), existing AS (
            SELECT f.set_id, f.sha256, e.id, e.file_name FROM firsts f CROSS JOIN LATERAL (
                SELECT p.id, p.picture->>'file_name' AS file_name FROM picture p
                WHERE p.picture_set_id = f.set_id AND p.picture->>'sha256' = f.sha256
                ORDER BY p.upload_date, p.id LIMIT 1
            ) e
        ), inserted AS (
            INSERT INTO picture (id, picture, picture_set_id, nb_obj)
            SELECT f.id, f.document::json, f.set_id, 0 FROM firsts f
            WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.set_id = f.set_id AND e.sha256 = f.sha256)
            RETURNING id, picture_set_id
        ), linked AS (
            INSERT INTO picture_seed (id, picture_id, seed_id)
            SELECT f.link_id, f.id, f.seed_id FROM firsts f JOIN inserted USING (id)
            RETURNING picture_id
        ), added AS (
            SELECT i.picture_set_id AS set_id, count(*) AS pictures FROM inserted i JOIN linked l ON l.picture_id = i.id
            GROUP BY i.picture_set_id
        ), counted AS (
            UPDATE picture_set s SET picture_set = jsonb_set(
                s.picture_set::jsonb, '{image_data_picture_set,number_of_images}',
                to_jsonb((SELECT count(*) FROM picture WHERE picture_set_id = s.id) + a.pictures))::json
            FROM added a WHERE s.id = a.set_id
            RETURNING s.id
        )
        SELECT COALESCE(e.id, f.id), COALESCE(e.file_name, f.file_name), e.id IS NULL AND i.id = f.id
        FROM input i JOIN firsts f ON f.set_id = i.set_id AND f.sha256 = i.sha256
        LEFT JOIN existing e ON e.set_id = i.set_id AND e.sha256 = i.sha256
        ORDER BY i.position
        """

    package func pictures(inSet setID: UUID) async throws(CatalogueError) -> [PictureRecord] {
        try await run("list the pictures of a set") { session in
            try session.query(
                """
                SELECT id, picture_set_id, picture->>'sha256', picture->>'file_name' FROM picture
                WHERE picture_set_id = $1::uuid ORDER BY upload_date, id
                """,
                setID.lowercased
            ).compactMap(Self.picture)
        }
    }

    package func pictureIDs(inSets setIDs: [UUID]) async throws(CatalogueError) -> [UUID: [UUID]] {
        guard !setIDs.isEmpty else { return [:] }
        return try await run("list the pictures of the sets") { session in
            var ids: [UUID: [UUID]] = [:]
            let rows = try session.query(
                "SELECT picture_set_id, id FROM picture WHERE picture_set_id = ANY($1::uuid[])", PostgresArray.text(setIDs.map(\.lowercased)))
            for row in rows {
                guard let set = row[0].flatMap(UUIDText.parse), let id = row[1].flatMap(UUIDText.parse) else { continue }
                ids[set, default: []].append(id)
            }
            return ids
        }
    }

    /// The server's system identifier (made by `initdb`, kept by a
    /// fail-over replica, seen the same through any pooler or host name),
    /// the database's oid and the schema the tables are read from: what
    /// tells this database apart from one of the same name elsewhere. A
    /// role with no grant may read them on PostgreSQL 13 and later; where
    /// a service refuses `pg_control_system()`, `nil`.
    package func identity() async throws(CatalogueError) -> String? {
        try await run("identify the database") { session -> String? in
            do {
                let row = try session.query(
                    """
                    SELECT (SELECT system_identifier FROM pg_control_system()),
                        (SELECT oid FROM pg_database WHERE datname = current_database()), current_schema()
                    """
                ).first
                guard let system = row?[0], let database = row?[1], let schema = row?[2] else { return nil }
                return DestinationIdentity.postgresCluster(system: system, database: database, schema: schema)
            } catch let error as PostgresError where error.sqlState == "42501" || error.sqlState == "42883" {
                return nil  // insufficient privilege, or no such function
            }
        }
    }

    /// Closes the connection.
    package func close() async {
        await connection.close()
    }

    // MARK: - Rows

    private static let pictureSetColumns = """
        SELECT id, owner_id, name,
            COALESCE((picture_set->'image_data_picture_set'->>'number_of_images')::int, 0) FROM picture_set
        """

    private static func user(_ row: [String?]) -> CatalogueUser? {
        guard let id = row[0].flatMap(UUID.init(uuidString:)), let email = row[1] else { return nil }
        return CatalogueUser(id: id, email: email, defaultSetID: row[2].flatMap(UUID.init(uuidString:)))
    }

    /// A picture from (id, set id, sha256, file name).
    private static func picture(_ row: [String?]) -> PictureRecord? {
        guard let id = row[0].flatMap(UUID.init(uuidString:)), let set = row[1].flatMap(UUID.init(uuidString:)) else { return nil }
        return PictureRecord(id: id, setID: set, sha256: row[2].flatMap(ContentHash.init(hex:)), fileName: row[3])
    }

    private static func pictureSet(_ row: [String?]) -> PictureSetRecord? {
        guard let id = row[0].flatMap(UUID.init(uuidString:)), let owner = row[1].flatMap(UUID.init(uuidString:)) else { return nil }
        return PictureSetRecord(id: id, ownerID: owner, name: row[2], numberOfImages: row[3].flatMap { Int($0) } ?? 0)
    }

    // MARK: - Running and errors

    private func run<T: Sendable>(_ action: String, _ body: @escaping @Sendable (PostgresSession) throws -> T) async throws(CatalogueError)
        -> T
    {
        do {
            return try await connection.withSession(body)
        } catch {
            throw Self.catalogueError(error, doing: action, location: connection.displayName)
        }
    }

    /// Checks the server version, the schema and the tables after connecting.
    private static func checkServer(_ session: PostgresSession, schema: String?, requireTables: Bool) throws {
        guard session.serverVersion >= minimumServerVersion else {
            throw CatalogueError(
                .misconfigured,
                "the PostgreSQL server is version \(session.serverVersion / 10_000); nachet-sync needs PostgreSQL 13 or newer"
            )
        }
        if let schema, try session.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema).isEmpty {
            throw CatalogueError(
                .misconfigured,
                "the schema \"\(schema)\" does not exist in the database; check \(Setting.schema.variable) / --schema, or create it with `nachet-sync db init`"
            )
        }
        guard requireTables else { return }
        let missing = try session.query(
            "SELECT name FROM unnest($1::text[]) AS t(name) WHERE to_regclass(quote_ident(name)) IS NULL",
            PostgresArray.text(requiredTables)
        ).compactMap { $0[0] }
        if !missing.isEmpty {
            throw CatalogueError(
                .misconfigured,
                "the Nachet tables \(missing.joined(separator: ", ")) are missing\(schema.map { " in schema \"\($0)\"" } ?? ""); "
                    + "check \(Setting.schema.variable) / --schema, or create them with `nachet-sync db init`"
            )
        }
    }

    /// Turns a libpq or server error into a message naming the fix, without the password.
    static func catalogueError(_ error: any Error, doing action: String, location: String) -> CatalogueError {
        if let error = error as? CatalogueError { return error }
        guard let error = error as? PostgresError else { return CatalogueError(.writeFailed, "cannot \(action): \(error)") }
        if error.connectionStringUnusable { return CatalogueError(.misconfigured, error.message) }
        let text = error.description
        let lowered = text.lowercased()
        let place = "PostgreSQL \(location)"
        switch error.sqlState {
        case "28P01", "28000":
            return CatalogueError(
                .misconfigured, "\(place) refused the login: \(text); fix the user or password (URL, PGPASSWORD or ~/.pgpass)")
        case "3D000":
            return CatalogueError(.misconfigured, "\(place): \(text); create the database, then run `nachet-sync db init`")
        case "3F000":
            return CatalogueError(.misconfigured, "\(place): \(text); check \(Setting.schema.variable) / --schema")
        case "42P01":
            return CatalogueError(
                .misconfigured, "\(place): \(text); the Nachet tables are missing — run `nachet-sync db init` or check \(Setting.schema.variable)")
        case "42501":
            return CatalogueError(
                .misconfigured,
                "\(place): permission denied (\(text)); grant the agent's role SELECT, INSERT, UPDATE on users, seed, picture_set, picture, picture_seed"
            )
        case "53100":
            return CatalogueError(.writeFailed, "\(place): the database server's disk is full (\(text)); the picture is retried later")
        case "23503":
            return CatalogueError(.notFound, "\(place): a row this one refers to is gone (\(text))")
        default:
            break
        }
        if lowered.contains("password authentication failed") || lowered.contains("no password supplied") {
            return CatalogueError(.misconfigured, "\(place) refused the login: \(text); fix the password (URL, PGPASSWORD or ~/.pgpass)")
        }
        if lowered.contains("database") && lowered.contains("does not exist") {
            return CatalogueError(.misconfigured, "\(place): \(text); create the database, then run `nachet-sync db init`")
        }
        if lowered.contains("role") && lowered.contains("does not exist") {
            return CatalogueError(.misconfigured, "\(place): \(text); fix the user name in the connection string")
        }
        if error.connectionLost {
            let firstLine = text.split(separator: "\n").first.map(String.init) ?? text
            let tried = error.gaveUpAfter.map { "; given up after \(StoreHealth.seconds($0)) (--give-up-after gives it longer)" } ?? ""
            return CatalogueError(
                .unavailable, "cannot reach \(place): \(firstLine)\(tried); is the server running and reachable from this PC?")
        }
        return CatalogueError(.writeFailed, "cannot \(action) in \(place): \(text)")
    }
}

/// PostgreSQL array literals for text parameters.
enum PostgresArray {
    /// `{"a","b"}`, each element quoted and escaped.
    static func text(_ values: [String]) -> String {
        "{"
            + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
