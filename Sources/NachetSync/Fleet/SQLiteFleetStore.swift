import Foundation

/// The fleet's tables in the embedded catalogue's SQLite file, on a
/// connection of their own (the file is in WAL mode: the fleet's writes and
/// the catalogue's wait for each other a few milliseconds at most).
package final class SQLiteFleetStore: FleetStore {
    private let database: SQLiteDatabase

    package var location: String { database.path }

    /// Opens the catalogue file at `path`, which the catalogue made.
    package init(path: String) throws(CatalogueError) {
        do {
            database = try SQLiteDatabase(path: path)
        } catch {
            throw CatalogueError(.unavailable, "cannot open the catalogue \(path) for the fleet's tables: \(error)")
        }
    }

    package func prepare() async throws(CatalogueError) {
        try await run("create the fleet's tables") { database in
            for statement in FleetSQL.schema(.sqlite) { try database.executeScript(statement) }
        }
    }

    package func record(_ activity: [String: FleetActivity]) async throws(CatalogueError) {
        guard !activity.isEmpty else { return }
        let statements = FleetSQL.record(activity, .sqlite)
        try await run("record the fleet's activity") { database in
            try database.transaction {
                for statement in statements { try database.query(statement.sql, parameters: statement.parameters) }
            }
        }
    }

    package func machines(daysFrom firstDay: FleetDay, reports: Bool) async throws(CatalogueError) -> [FleetMachine] {
        try await read(FleetSQL.machines(.sqlite, reports: reports), FleetSQL.days(.sqlite, from: firstDay))
    }

    package func machine(named name: String, daysFrom firstDay: FleetDay) async throws(CatalogueError) -> FleetMachine? {
        try await read(FleetSQL.machines(.sqlite, named: name), FleetSQL.days(.sqlite, from: firstDay, named: name)).first
    }

    package func forgetDays(before day: FleetDay) async throws(CatalogueError) {
        let statement = FleetSQL.forgetDays(.sqlite, before: day)
        try await run("forget old day counts") { database in _ = try database.query(statement.sql, parameters: statement.parameters) }
    }

    package func close() async {
        database.close()
    }

    /// The PCs `machines` reads, with the day counts `days` reads, in one
    /// read transaction.
    private func read(_ machines: FleetSQL.Statement, _ days: FleetSQL.Statement) async throws(CatalogueError) -> [FleetMachine] {
        try await run("read the fleet") { database in
            try database.transaction {
                let rows = try database.query(machines.sql, parameters: machines.parameters).map(FleetSQL.text)
                let dayRows = try database.query(days.sql, parameters: days.parameters).map(FleetSQL.text)
                return FleetSQL.machines(rows: rows, dayRows: dayRows)
            }
        }
    }

    /// Runs `body` on the database's queue, off Swift's cooperative threads.
    private func run<T: Sendable>(_ action: String, _ body: @escaping @Sendable (SQLiteDatabase) throws -> T) async throws(CatalogueError)
        -> T
    {
        do {
            return try await database.perform { [database] in try body(database) }
        } catch {
            throw CatalogueError(.writeFailed, "cannot \(action) in \(location): \(error)")
        }
    }
}
