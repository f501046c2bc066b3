import Foundation
import Glibc

/// Whether the catalogue is usable by the agent: connection, schema,
/// tables, and the rights the agent needs, tried for real.
enum CatalogueCheck {
    /// The rights the agent needs on each of Nachet's five tables.
    static let rights = ["SELECT", "INSERT", "UPDATE"]

    /// The findings for `location`, within `limit` for the whole check.
    static func run(_ location: CatalogueLocation, schema: String?, limit: Duration) async -> [DoctorFinding] {
        switch location {
        case .sqlite(let path):
            return [sqlite(path)]
        case .postgres(let connection):
            let place = "PostgreSQL " + PostgresConnectionString.redacting(connection)
            return await withTimeLimit(
                limit,
                timedOut: [.fail("catalogue", "\(place) gave no answer within \(StoreHealth.seconds(limit)); is the server running and reachable from this PC?")]
            ) {
                await postgres(connection, schema: schema, place: place)
            }
        }
    }

    // MARK: - SQLite

    /// The embedded catalogue: its file opens with Nachet's tables and may
    /// be written, or it will be created.
    static func sqlite(_ path: String) -> DoctorFinding {
        let subject = "catalogue"
        guard FileManager.default.fileExists(atPath: path) else {
            guard let parent = FolderAccessCheck.nearestExisting(above: path) else {
                return .fail(subject, "SQLite catalogue \(path): no folder above it exists; fix --catalogue or --state-dir")
            }
            if let problem = FolderAccessCheck.probeWrite(parent) {
                return .fail(subject, "SQLite catalogue \(path) does not exist and cannot be created in \(parent) (\(problem))")
            }
            return .pass(subject, "SQLite catalogue \(path) does not exist yet; the agent creates it with Nachet's tables and 15 seeds")
        }
        do {
            let database = try SQLiteDatabase(path: path, readOnly: true)
            let present = Set(try database.query("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0[0].text })
            let missing = PostgresCatalogue.requiredTables.filter { !present.contains($0) }
            guard missing.isEmpty else {
                return .fail(subject, "SQLite catalogue \(path) lacks the tables \(missing.joined(separator: ", ")); is it a Nachet catalogue?")
            }
            let seeds = try database.query("SELECT count(*) FROM seed").first?[0].integer ?? 0
            let directory = (path as NSString).deletingLastPathComponent
            if access(path, W_OK) != 0 || FolderAccessCheck.probeWrite(directory) != nil {
                return .fail(
                    subject, "SQLite catalogue \(path) cannot be written (the file or its folder); give the agent's user write rights on both")
            }
            return .pass(subject, "SQLite catalogue \(path): Nachet's tables, \(seeds) seeds, writable")
        } catch {
            return .fail(subject, "SQLite catalogue \(path) cannot be read: \(error)")
        }
    }

    // MARK: - PostgreSQL

    /// Connects once (no retries, a 5 s connect timeout) and checks the
    /// server, the schema, the tables and the rights.
    static func postgres(_ connection: String, schema: String?, place: String) async -> [DoctorFinding] {
        let database = PostgresConnection(connectionString: connection, schema: nil)
        defer { Task { await database.close() } }
        do {
            return try await database.withSession { session in
                try inspect(session, schema: schema, place: place)
            }
        } catch {
            let failure = PostgresCatalogue.catalogueError(error, doing: "connect", location: PostgresConnectionString.redacting(connection))
            return [.fail("catalogue", failure.message)]
        }
    }

    private static func inspect(_ session: PostgresSession, schema: String?, place: String) throws -> [DoctorFinding] {
        let version = session.serverVersion
        var findings: [DoctorFinding] = []
        guard version >= PostgresCatalogue.minimumServerVersion else {
            return [.fail("catalogue", "\(place) is PostgreSQL \(version / 10_000); nachet-sync needs PostgreSQL 13 or newer")]
        }
        findings.append(.pass("catalogue", "connected to \(place) (PostgreSQL \(version / 10_000).\(version % 100))"))

        if let schema {
            guard try !session.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema).isEmpty else {
                return findings + [
                    .fail("catalogue schema", "\"\(schema)\" does not exist in the database; check \(Setting.schema.variable) / --schema, or `nachet-sync db init`")
                ]
            }
            guard try session.query("SELECT has_schema_privilege($1, 'USAGE')", schema).first?[0] == "t" else {
                return findings + [.fail("catalogue schema", "\"\(schema)\": the agent's role lacks USAGE; GRANT USAGE ON SCHEMA \"\(schema)\" TO it")]
            }
            try session.query("SELECT set_config('search_path', quote_ident($1) || ', public', false)", schema)
        }
        let tables = PostgresCatalogue.requiredTables
        let missing = try session.query(
            "SELECT name FROM unnest($1::text[]) AS t(name) WHERE to_regclass(quote_ident(name)) IS NULL", PostgresArray.text(tables)
        ).compactMap { $0[0] }
        let inSchema = schema.map { "schema \"\($0)\"" } ?? "the default search path"
        guard missing.isEmpty else {
            return findings + [
                .fail(
                    "catalogue schema",
                    "the Nachet tables \(missing.joined(separator: ", ")) are missing in \(inSchema); check \(Setting.schema.variable) / --schema, or `nachet-sync db init`")
            ]
        }
        findings.append(.pass("catalogue schema", "\(inSchema) holds the tables \(tables.joined(separator: ", "))"))
        findings.append(try checkRights(session, tables: tables, schema: schema))
        return findings
    }

    /// The rights, asked (`has_table_privilege`), then tried: the agent's
    /// own writes in a transaction rolled back, which also finds what the
    /// rights do not say (a read-only server, row security, a trigger).
    private static func checkRights(_ session: PostgresSession, tables: [String], schema: String?) throws -> DoctorFinding {
        let subject = "catalogue rights"
        var lacking: [String] = []
        for table in tables {
            for right in rights where try session.query("SELECT has_table_privilege(quote_ident($1), $2)", table, right).first?[0] != "t" {
                lacking.append("\(right) on \(table)")
            }
        }
        let qualified = tables.map { table in schema.map { "\"\($0)\".\(table)" } ?? table }.joined(separator: ", ")
        guard lacking.isEmpty else {
            return .fail(subject, "the agent's role lacks \(lacking.joined(separator: ", ")); GRANT SELECT, INSERT, UPDATE ON \(qualified) TO it")
        }
        let (user, set, picture, link) = (UUID().lowercased, UUID().lowercased, UUID().lowercased, UUID().lowercased)
        do {
            try session.query("BEGIN")
            defer { _ = try? session.query("ROLLBACK") }
            try session.query("INSERT INTO users (id, email) VALUES ($1::uuid, 'doctor@nachet-sync.invalid')", user)
            try session.query(
                "INSERT INTO picture_set (id, picture_set, owner_id, name) VALUES ($1::uuid, '{}'::json, $2::uuid, 'nachet-sync doctor')",
                set, user)
            try session.query("UPDATE users SET default_set_id = $1::uuid WHERE id = $2::uuid", set, user)
            try session.query("INSERT INTO picture (id, picture, picture_set_id, nb_obj) VALUES ($1::uuid, '{}'::json, $2::uuid, 0)", picture, set)
            if let seed = try session.query("SELECT id FROM seed LIMIT 1").first?[0] {
                try session.query("INSERT INTO picture_seed (id, picture_id, seed_id) VALUES ($1::uuid, $2::uuid, $3::uuid)", link, picture, seed)
            }
            try session.query("UPDATE picture_set SET picture_set = picture_set WHERE id = $1::uuid", set)
            try session.query("UPDATE picture SET picture = picture WHERE id = $1::uuid", picture)
        } catch {
            let text = error.description
            return .fail(subject, "the rights are granted, but the agent's writes fail: \(text) (tried in a transaction, rolled back)")
        }
        return .pass(subject, "SELECT, INSERT, UPDATE on \(tables.joined(separator: ", ")) (tried in a transaction, rolled back)")
    }
}
