import Foundation

/// The fleet's tables in Nachet's PostgreSQL database, beside Nachet's own
/// (in the catalogue's schema), on a connection of their own.
///
/// `serve` creates them at start when missing, which needs the right to
/// create tables in that schema once; without it the fleet is off and the
/// log says what to grant. Two `serve` starting together create them once
/// (under an advisory lock).
package final class PostgresFleetStore: FleetStore {
    private let connection: PostgresConnection

    package var location: String { "PostgreSQL " + connection.displayName }

    /// A store on `connectionString`, in `schema` (`NACHET_SCHEMA`) or the
    /// database's default one; connects on first use.
    package init(connectionString: String, schema: String?) {
        connection = PostgresConnection(connectionString: connectionString, schema: schema)
    }

    package func prepare() async throws(CatalogueError) {
        let tables = PostgresArray.text([FleetSQL.machinesTable, FleetSQL.daysTable])
        do {
            try await connection.withSession { session in
                try session.transaction {
                    try session.query("SELECT pg_advisory_xact_lock(hashtextextended('nachet-sync/fleet-tables', 0))")
                    let missing = try session.query(
                        "SELECT name FROM unnest($1::text[]) AS t(name) WHERE to_regclass(quote_ident(name)) IS NULL", tables)
                    guard !missing.isEmpty else { return }
                    for statement in FleetSQL.schema(.postgres) { try session.query(statement) }
                }
            }
        } catch let error as PostgresError where error.sqlState == "42501" {
            throw await cannotCreate(error)
        } catch {
            throw PostgresCatalogue.catalogueError(error, doing: "create the fleet's tables", location: connection.displayName)
        }
    }

    package func record(_ activity: [String: FleetActivity]) async throws(CatalogueError) {
        guard !activity.isEmpty else { return }
        let statements = FleetSQL.record(activity, .postgres).map {
            PostgresSession.Statement($0.sql, parameters: $0.parameters.map(FleetSQL.text))
        }
        try await run("record the fleet's activity") { session in
            // One round trip, one transaction.
            _ = try session.pipeline([.init("BEGIN")] + statements + [.init("COMMIT")])
        }
    }

    package func machines(daysFrom firstDay: FleetDay, reports: Bool) async throws(CatalogueError) -> [FleetMachine] {
        try await read(FleetSQL.machines(.postgres, reports: reports), FleetSQL.days(.postgres, from: firstDay))
    }

    package func machine(named name: String, daysFrom firstDay: FleetDay) async throws(CatalogueError) -> FleetMachine? {
        try await read(FleetSQL.machines(.postgres, named: name), FleetSQL.days(.postgres, from: firstDay, named: name)).first
    }

    package func forgetDays(before day: FleetDay) async throws(CatalogueError) {
        let statement = FleetSQL.forgetDays(.postgres, before: day)
        try await run("forget old day counts") { session in
            _ = try session.query(statement.sql, parameters: statement.parameters.map(FleetSQL.text))
        }
    }

    package func close() async {
        await connection.close()
    }

    private func read(_ machines: FleetSQL.Statement, _ days: FleetSQL.Statement) async throws(CatalogueError) -> [FleetMachine] {
        try await run("read the fleet") { session in
            let results = try session.pipeline([
                .init("BEGIN"),
                .init(machines.sql, parameters: machines.parameters.map(FleetSQL.text)),
                .init(days.sql, parameters: days.parameters.map(FleetSQL.text)),
                .init("COMMIT"),
            ])
            return FleetSQL.machines(rows: results[1], dayRows: results[2])
        }
    }

    private func run<T: Sendable>(_ action: String, _ body: @escaping @Sendable (PostgresSession) throws -> T) async throws(CatalogueError)
        -> T
    {
        do {
            return try await connection.withSession(body)
        } catch {
            throw PostgresCatalogue.catalogueError(error, doing: action, location: connection.displayName)
        }
    }

    /// The role may not create tables in the schema: what to grant, naming
    /// the role and the schema as the server says them.
    private func cannotCreate(_ error: PostgresError) async -> CatalogueError {
        let names = try? await connection.withSession { session in try session.query("SELECT current_user, current_schema()").first }
        let role = names?[0] ?? "serve's role"
        let schema = names?[1] ?? "the catalogue's schema"
        return CatalogueError(
            .misconfigured,
            "\(location): the role \(role) may not create serve's fleet tables (\(FleetSQL.machinesTable), \(FleetSQL.daysTable)) in the schema \(schema) (\(error.firstLine)); have the database's owner run `GRANT CREATE ON SCHEMA \"\(schema)\" TO \(role);` once, or create the tables with the SQL in docs/fleet.md (\"The fleet's tables\")"
        )
    }
}
