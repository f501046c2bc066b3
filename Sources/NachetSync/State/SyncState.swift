import Foundation

/// The local state file: what has been uploaded, so a restart resumes where
/// the last run stopped and never reads an unchanged file again.
///
/// An SQLite file in WAL mode in the state directory (local to the PC, never
/// in the drop folder). It is a cache of what the datastore holds: losing it
/// costs one re-hash of every file, never a duplicate, because pictures are
/// found again by their SHA-256 in the catalogue.
///
/// Its records belong to the destination they were stored in
/// (``DestinationIdentity``): opened for a destination, the file shows that
/// destination's records only (``bringRecords(of:into:)``), so another
/// catalogue or blob store starts from its own records.
package final class SyncState: Sendable {
    /// The name of the state file inside the state directory.
    package static let fileName = "state.sqlite"

    let database: SQLiteDatabase
    /// The destination whose records the file shows; `nil` when opened
    /// without naming one (the records it holds, whatever their destination).
    package let destination: DestinationIdentity?
    /// The destination whose records the file showed before this one
    /// was opened for `destination`, when that was another one.
    package let previousDestination: DestinationIdentity?
    /// The destination whose records the file shows now: `destination`
    /// (as the file last found that address to reach), unless it was
    /// opened without taking them (`status`, which must not move the
    /// records of an agent running with another configuration).
    package let liveDestination: DestinationIdentity?
    /// The destination whose records were live when the file was opened.
    package let destinationAtOpening: DestinationIdentity?

    /// The state file's path.
    package var path: String { database.path }

    /// Opens the state file in `directory`, creating both when missing:
    /// the directory 0700 and the file 0600 (``PrivateFiles``).
    ///
    /// - Parameters:
    ///   - destination: The catalogue and blob store the records are about:
    ///     the file's records become that destination's own.
    ///   - takingRecords: `false` to only look: the records stay those of
    ///     the destination they belong to (``liveDestination``).
    package init(directory: String, destination: DestinationIdentity? = nil, takingRecords: Bool = true) throws(SyncStateError) {
        self.destination = destination
        do {
            try StateDirectory.create(directory)
        } catch {
            throw SyncStateError(error.message)
        }
        let path = directory + "/" + Self.fileName
        do {
            database = try SQLiteDatabase(path: path)
            try database.executeScript(Self.schema)
            try Self.addColumnsOfThisVersion(to: database)
            let opened = database
            let before = try Self.recordedDestination(in: opened)
            if takingRecords, let destination {
                previousDestination = try Self.bringRecords(of: destination, into: opened)
                liveDestination = try Self.recordedDestination(in: opened)
            } else {
                previousDestination = nil
                liveDestination = try before ?? destination.map { try Self.key(for: $0, in: opened) }
            }
            destinationAtOpening = before
        } catch {
            throw SyncStateError.cannotUse(path, doing: "open", error)
        }
    }

    /// Opens the state file in `directory` for reading only, as `status`
    /// does while the agent works: nothing is created or changed, neither
    /// the directory, the file, nor its columns.
    ///
    /// - Returns: `nil` when there is no state file there (nothing was
    ///   synced with this state directory yet).
    package static func readingOnly(directory: String) throws(SyncStateError) -> SyncState? {
        let path = directory + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let database = try SQLiteDatabase(path: path, readOnly: true)
            let present = Set(try database.query("PRAGMA table_info(folders)").compactMap { $0[1].text })
            guard columnsAdded.allSatisfy({ present.contains($0.0) }) else {
                throw SyncStateError(
                    "the state file \(path) was written by an older nachet-sync; run the agent once (`nachet-sync sync` or the service) "
                        + "to bring it up to date, then `status` again")
            }
            return try SyncState(database: database)
        } catch let error as SyncStateError {
            throw error
        } catch {
            throw SyncStateError.cannotUse(path, doing: "read", error)
        }
    }

    /// Closes the file (the agent is replaced by a reload, or done).
    package func close() {
        database.close()
    }

    /// The file opened read-only: the records it holds, whatever their destination.
    private init(database: SQLiteDatabase) throws {
        self.database = database
        destination = nil
        previousDestination = nil
        liveDestination = try Self.recordedDestination(in: database)
        destinationAtOpening = liveDestination
    }

    static let schema = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        CREATE TABLE IF NOT EXISTS folders (
            path TEXT PRIMARY KEY NOT NULL,
            status TEXT NOT NULL,
            picture_set_id TEXT,
            user_id TEXT,
            folder_name TEXT,
            metadata TEXT,
            marker_stored INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
            device INTEGER,
            inode INTEGER,
            listing_digest TEXT
        );
        CREATE TABLE IF NOT EXISTS files (
            path TEXT PRIMARY KEY NOT NULL,
            folder TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            inode INTEGER NOT NULL,
            sha256 TEXT,
            picture_id TEXT,
            outcome TEXT NOT NULL,
            error TEXT,
            updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
        );
        CREATE INDEX IF NOT EXISTS files_by_folder ON files (folder);
        """

    /// Folder columns a state file of an earlier version lacks: the
    /// folder's identity (device and inode, to follow a rename), the
    /// digest of its last complete listing (to skip an unchanged folder),
    /// what the last datastore check found (a JSON list of messages), and
    /// when it ended (seconds since 1970).
    private static let columnsAdded = [
        ("device", "INTEGER"), ("inode", "INTEGER"), ("listing_digest", "TEXT"), ("datastore_problems", "TEXT"),
        ("datastore_checked_at", "REAL"),
    ]

    private static func addColumnsOfThisVersion(to database: SQLiteDatabase) throws(SQLiteError) {
        let present = Set(try database.query("PRAGMA table_info(folders)").compactMap { $0[1].text })
        for (name, type) in columnsAdded where !present.contains(name) {
            try database.executeScript("ALTER TABLE folders ADD COLUMN \(name) \(type)")
        }
        try database.executeScript(
            """
            CREATE INDEX IF NOT EXISTS folders_by_identity ON folders (device, inode);
            CREATE INDEX IF NOT EXISTS folders_by_set_name ON folders (folder_name, user_id);
            """)
    }

    /// Runs `body` on the state file's own queue, off Swift's cooperative
    /// threads, and returns what it returns: how the engine reads and writes
    /// records.
    package func perform<Result: Sendable>(
        _ body: @escaping @Sendable (SyncState) throws -> Result
    ) async throws(SyncStateError) -> Result {
        do {
            return try await database.perform { try body(self) }
        } catch let error as SyncStateError {
            throw error
        } catch {
            throw SyncStateError("cannot update the state file: \(error)")
        }
    }

    // MARK: - Folders

    /// The record of the folder at `path`, or `nil`.
    package func folder(_ path: String) throws(SyncStateError) -> FolderRecord? {
        try run { try database.query(Self.folderColumns + " WHERE path = ?", .text(path)).first.map(Self.folder) }
    }

    /// Every folder record, by path.
    package func folders() throws(SyncStateError) -> [FolderRecord] {
        try run { try database.query(Self.folderColumns + " ORDER BY path").map(Self.folder) }
    }

    /// Writes `record`, replacing the folder's previous one.
    package func save(_ record: FolderRecord) throws(SyncStateError) {
        try run {
            try database.query(
                """
                INSERT OR REPLACE INTO folders
                    (path, status, picture_set_id, user_id, folder_name, metadata, marker_stored, last_error, updated_at,
                     device, inode, listing_digest, datastore_problems, datastore_checked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP, ?, ?, ?, ?, ?)
                """,
                .text(record.path), .text(record.status.rawValue), .optionalText(record.setID?.lowercased),
                .optionalText(record.userID?.lowercased), .optionalText(record.folderName), .optionalText(record.metadata),
                .integer(record.markerStored ? 1 : 0), .optionalText(record.lastError),
                record.identity.map { .integer(Int64(bitPattern: $0.device)) } ?? .null,
                record.identity.map { .integer(Int64(bitPattern: $0.inode)) } ?? .null,
                .optionalText(record.listingDigest),
                .optionalText(Self.encodeMessages(record.datastoreProblems)),
                record.datastoreCheckedAt.map { .real($0.timeIntervalSince1970) } ?? .null
            )
        }
    }

    /// The record of a folder that was at another path with the identity
    /// `identity` (the same folder, renamed), or `nil`.
    package func folder(identity: FolderIdentity, notAt path: String) throws(SyncStateError) -> FolderRecord? {
        try run {
            try database.query(
                Self.folderColumns + " WHERE device = ? AND inode = ? AND path != ?",
                .integer(Int64(bitPattern: identity.device)), .integer(Int64(bitPattern: identity.inode)), .text(path)
            ).first.map(Self.folder)
        }
    }

    /// The records of folders whose set is `owner`'s set named `name`.
    package func folders(named name: String, ownedBy owner: UUID) throws(SyncStateError) -> [FolderRecord] {
        try run {
            try database.query(Self.folderColumns + " WHERE folder_name = ? AND user_id = ?", .text(name), .text(owner.lowercased))
                .map(Self.folder)
        }
    }

    /// Moves the records of the folder at `old` and of its files to `new`,
    /// in one transaction: the folder was renamed, and keeps its set and
    /// what is known of its files.
    package func moveFolder(from old: String, to new: String) throws(SyncStateError) {
        try run {
            try database.transaction {
                try database.query("DELETE FROM folders WHERE path = ?", .text(new))
                try database.query("DELETE FROM files WHERE folder = ?", .text(new))
                try database.query("UPDATE folders SET path = ? WHERE path = ?", .text(new), .text(old))
                try database.query(
                    "UPDATE files SET path = ?1 || substr(path, length(?2) + 1), folder = ?1 WHERE folder = ?2", .text(new), .text(old))
            }
        }
    }

    /// Forgets the listing digests of the folders at `paths`, so their next
    /// pass looks at everything again.
    package func forgetListingDigests(of paths: [String]) throws(SyncStateError) {
        try run {
            try database.transaction {
                for path in paths { try database.query("UPDATE folders SET listing_digest = NULL WHERE path = ?", .text(path)) }
            }
        }
    }

    // MARK: - Files

    /// How many files the records say are stored in the destination the
    /// file is open for: what a catalogue emptied since would have lost
    /// (``SQLiteCatalogue/Expected``).
    package func storedFileCount() throws(SyncStateError) -> Int {
        try run {
            let rows = try database.query(
                "SELECT count(*) FROM files WHERE outcome IN (?, ?)",
                .text(FileRecord.Outcome.uploaded.rawValue), .text(FileRecord.Outcome.alreadyStored.rawValue))
            return Int(rows.first?[0].integer ?? 0)
        }
    }

    /// The records of the files of the folder at `folder`, by path.
    package func files(inFolder folder: String) throws(SyncStateError) -> [String: FileRecord] {
        try run {
            // Streamed: a folder may hold tens of thousands of files, and
            // holding every row and every record at once doubles the peak.
            var records: [String: FileRecord] = [:]
            try database.forEachRow(Self.fileColumns + " WHERE folder = ?", .text(folder)) { row in
                var record = Self.file(row)
                record.folder = folder  // one string shared by every record, not one copy each
                records[record.path] = record
            }
            return records
        }
    }

    /// Writes `record`, replacing the file's previous one.
    package func save(_ record: FileRecord) throws(SyncStateError) {
        try run { try insert(record) }
    }

    /// Writes `records` in one transaction: one sync of the state file for
    /// many files.
    package func save(_ records: [FileRecord]) throws(SyncStateError) {
        try run {
            try database.transaction {
                for record in records { try insert(record) }
            }
        }
    }

    private func insert(_ record: FileRecord) throws {
        try database.query(
            """
            INSERT OR REPLACE INTO files
                (path, folder, size, mtime_ns, inode, sha256, picture_id, outcome, error, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)
            """,
            .text(record.path), .text(record.folder), .integer(record.signature.size),
            .integer(record.signature.modificationTimeNanoseconds), .integer(Int64(bitPattern: record.signature.inode)),
            .optionalText(record.sha256?.hex), .optionalText(record.pictureID?.lowercased),
            .text(record.outcome.rawValue), .optionalText(record.error)
        )
    }

    /// Forgets every file record of the folder at `folder`.
    package func forgetFiles(inFolder folder: String) throws(SyncStateError) {
        try run { try database.query("DELETE FROM files WHERE folder = ?", .text(folder)) }
    }

    /// Forgets the file at `path` (it left the folder).
    package func removeFile(_ path: String) throws(SyncStateError) {
        try run { try database.query("DELETE FROM files WHERE path = ?", .text(path)) }
    }

    // MARK: - Rows

    private static let folderColumns =
        "SELECT path, status, picture_set_id, user_id, folder_name, metadata, marker_stored, last_error, device, inode, listing_digest, datastore_problems, datastore_checked_at FROM folders"

    private static let fileColumns =
        "SELECT path, folder, size, mtime_ns, inode, sha256, picture_id, outcome, error FROM files"

    private static func folder(_ row: SQLiteRow) -> FolderRecord {
        var record = FolderRecord(
            path: row[0].text ?? "",
            status: row[1].text.flatMap(FolderRecord.Status.init(rawValue:)) ?? .pending,
            setID: row[2].text.flatMap(UUID.init(uuidString:)),
            userID: row[3].text.flatMap(UUID.init(uuidString:)),
            folderName: row[4].text,
            metadata: row[5].text,
            markerStored: row[6].integer == 1,
            lastError: row[7].text,
            identity: row[8].integer.flatMap { device in
                row[9].integer.map { FolderIdentity(device: UInt64(bitPattern: device), inode: UInt64(bitPattern: $0)) }
            },
            listingDigest: row[10].text
        )
        record.datastoreProblems = decodeMessages(row[11].text)
        record.datastoreCheckedAt = row[12].real.map(Date.init(timeIntervalSince1970:))
        return record
    }

    /// Messages as a JSON list, `nil` when there are none.
    private static func encodeMessages(_ messages: [String]) -> String? {
        guard !messages.isEmpty, let data = try? JSONEncoder().encode(messages) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    private static func decodeMessages(_ text: String?) -> [String] {
        guard let text else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    private static func file(_ row: SQLiteRow) -> FileRecord {
        FileRecord(
            path: row[0].text ?? "",
            folder: row[1].text ?? "",
            signature: FileSignature(
                size: row[2].integer ?? -1,
                modificationTimeNanoseconds: row[3].integer ?? -1,
                inode: UInt64(bitPattern: row[4].integer ?? -1)
            ),
            sha256: row[5].text.flatMap(ContentHash.init(hex:)),
            pictureID: row[6].text.flatMap(UUID.init(uuidString:)),
            outcome: row[7].text.flatMap(FileRecord.Outcome.init(rawValue:)) ?? .failed,
            error: row[8].text
        )
    }

    @discardableResult
    func run<T>(_ body: () throws -> T) throws(SyncStateError) -> T {
        do {
            return try body()
        } catch {
            throw SyncStateError.cannotUse(database.path, doing: "update", error)
        }
    }
}

/// A failure of the local state file.
package struct SyncStateError: Error, CustomStringConvertible, Sendable {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
