import Foundation

/// How the state file's records come to belong to one destination
/// (``DestinationIdentity``).
///
/// `folders` and `files` hold the records of the destination the agent
/// last opened the file for, named in the table `destination`; the records
/// of every other destination wait in `parked_folders` and `parked_files`,
/// each row tagged with its destination. Opening the file for another
/// destination parks the live records and brings that destination's own
/// back, in one transaction: a catalogue or blob store the agent never
/// wrote into starts with no record (so nothing is "already there" that is
/// not), and switching back finds the old records, with nothing read
/// again. Every query of the engine stays on the live tables, unchanged.
///
/// A state file of an earlier version has no `destination` row: its
/// records are taken as those of the destination it is opened for, the
/// one they were written into.
extension SyncState {
    /// The two live tables and their parking places.
    private static let parkedTables = [("folders", "parked_folders"), ("files", "parked_files")]

    /// Makes the live records those of `destination`, reached at that
    /// address: of the destination the address was last found to reach
    /// (``key(for:in:)``), when it is known.
    /// - Returns: The destination whose records were live before, when it
    ///   was another one.
    static func bringRecords(of destination: DestinationIdentity, into database: SQLiteDatabase) throws -> DestinationIdentity? {
        try createTables(in: database)
        return try database.transaction {
            let key = try key(for: destination, in: database)
            let live = try recordedDestination(in: database)
            if live == key { return nil }
            if let live { try switchRecords(from: live, to: key, in: database) }
            try label(key, in: database)
            return live
        }
    }

    /// Creates the tables naming destinations, when missing.
    static func createTables(in database: SQLiteDatabase) throws {
        try database.executeScript(
            """
            CREATE TABLE IF NOT EXISTS destination (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS destination_aliases (address TEXT PRIMARY KEY NOT NULL, identity TEXT NOT NULL, used_at REAL);
            """)
    }

    /// Parks the live records, of `live`, and brings back those parked for
    /// `destination` (none when there are none).
    static func switchRecords(from live: DestinationIdentity, to destination: DestinationIdentity?, in database: SQLiteDatabase) throws {
        for (table, parked) in parkedTables {
            let columns = try preparedParking(for: table, in: parked, database: database).joined(separator: ", ")
            // Records parked for `live` before (a file written by two
            // versions) are older than the live ones.
            try database.query(
                "DELETE FROM \(parked) WHERE parked_catalogue = ? AND parked_blob_store = ?", .text(live.catalogue), .text(live.blobStore))
            try database.query(
                "INSERT INTO \(parked) (parked_catalogue, parked_blob_store, \(columns)) SELECT ?, ?, \(columns) FROM \(table)",
                .text(live.catalogue), .text(live.blobStore))
            try database.query("DELETE FROM \(table)")
            guard let destination else { continue }
            try database.query(
                "INSERT INTO \(table) (\(columns)) SELECT \(columns) FROM \(parked) WHERE parked_catalogue = ? AND parked_blob_store = ?",
                .text(destination.catalogue), .text(destination.blobStore))
            try database.query(
                "DELETE FROM \(parked) WHERE parked_catalogue = ? AND parked_blob_store = ?",
                .text(destination.catalogue), .text(destination.blobStore))
        }
    }

    /// Names `destination` as the one whose records are live.
    static func label(_ destination: DestinationIdentity, in database: SQLiteDatabase) throws {
        try database.query(
            "INSERT OR REPLACE INTO destination (key, value) VALUES ('catalogue', ?), ('blob_store', ?)",
            .text(destination.catalogue), .text(destination.blobStore))
    }

    /// The destination whose records the live tables hold, `nil` when the
    /// file names none (new, or written by an earlier version).
    static func recordedDestination(in database: SQLiteDatabase) throws -> DestinationIdentity? {
        let exists = try database.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'destination'")
        guard !exists.isEmpty else { return nil }
        let values = Dictionary(
            try database.query("SELECT key, value FROM destination").map { ($0[0].text ?? "", $0[1].text ?? "") },
            uniquingKeysWith: { first, _ in first })
        return values["catalogue"].flatMap { catalogue in
            values["blob_store"].map { DestinationIdentity(catalogue: catalogue, blobStore: $0) }
        }
    }

    /// Makes the parking table of `table` hold every column `table` has
    /// (a later version may have added some), and returns those columns.
    private static func preparedParking(for table: String, in parked: String, database: SQLiteDatabase) throws -> [String] {
        let columns = try database.query("SELECT name FROM pragma_table_info('\(table)')").compactMap { $0[0].text }
        try database.executeScript(
            "CREATE TABLE IF NOT EXISTS \(parked) (parked_catalogue TEXT NOT NULL, parked_blob_store TEXT NOT NULL)")
        let present = Set(try database.query("SELECT name FROM pragma_table_info('\(parked)')").compactMap { $0[0].text })
        for column in columns where !present.contains(column) {
            try database.executeScript("ALTER TABLE \(parked) ADD COLUMN \(column)")
        }
        try database.executeScript(
            "CREATE INDEX IF NOT EXISTS \(parked)_by_destination ON \(parked) (parked_catalogue, parked_blob_store)")
        return columns
    }

    /// The destinations whose records are parked, for `status`.
    package func parkedDestinations() throws(SyncStateError) -> [DestinationIdentity] {
        do {
            let exists = try database.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'parked_folders'")
            guard !exists.isEmpty else { return [] }
            return try database.query(
                "SELECT DISTINCT parked_catalogue, parked_blob_store FROM parked_folders ORDER BY parked_catalogue, parked_blob_store"
            ).map { DestinationIdentity(catalogue: $0[0].text ?? "", blobStore: $0[1].text ?? "") }
        } catch {
            throw SyncStateError.cannotUse(path, doing: "read", error)
        }
    }
}
