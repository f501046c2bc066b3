import Foundation

extension AgentConfiguration {
    /// `serve`'s fleet tables, in the catalogue's database, on a connection
    /// of their own. Open the catalogue first: it makes the embedded file.
    package func openFleetStore() throws(CatalogueError) -> any FleetStore {
        try catalogue.openFleetStore(schema: schema)
    }
}

extension CatalogueLocation {
    /// The fleet tables in this catalogue's database: the embedded file, or
    /// PostgreSQL with Nachet's tables' `schema`.
    package func openFleetStore(schema: String?) throws(CatalogueError) -> any FleetStore {
        switch self {
        case .sqlite(let path): try SQLiteFleetStore(path: path)
        case .postgres(let connection): PostgresFleetStore(connectionString: connection, schema: schema)
        }
    }
}
