import CSQLite
import Dispatch
import Foundation

/// A connection to one SQLite file, safe to share between tasks.
///
/// Every call takes the connection's lock, so statements of concurrent callers
/// never interleave; ``transaction(_:)`` holds it for the whole transaction.
/// Prepared statements are cached by their SQL text.
///
/// The connection (and its descriptors: the file, `-wal`, `-shm`) is closed
/// by ``close()``, or when the last reference goes; a call after `close()`
/// fails with ``SQLiteError/closed(_:)``. The cached statements hold no
/// reference back to the database, so nothing keeps a connection open
/// after its owner is done (a reload of `watch` closes the ones it replaces).
package final class SQLiteDatabase: @unchecked Sendable {
    /// The file this connection is open on.
    package let path: String
    /// The connection, `nil` once closed; read and written under `lock`.
    private var handle: OpaquePointer?
    private let lock = NSRecursiveLock()
    /// Runs ``perform(_:)``'s work, one call at a time, off Swift's
    /// cooperative threads: a statement may wait seconds for another
    /// process's lock, or for a checkpoint's fsync.
    private let queue = DispatchQueue(label: "nachet-sync.sqlite")
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens (creating when missing) the database at `path`.
    ///
    /// A database this creates is its user's only (0600), and so are its
    /// `-wal` and `-shm` files, which SQLite gives the database file's mode:
    /// the agent's databases hold users' e-mail addresses and its records.
    /// An existing file keeps its mode.
    ///
    /// - Parameters:
    ///   - path: The database file.
    ///   - busyTimeoutMilliseconds: How long a statement waits for another
    ///   process's lock before failing with `SQLITE_BUSY`.
    ///   - readOnly: Open an existing file for reading only: nothing is
    ///     created, and no statement may write (``readOnlyName(_:)``).
    package init(path: String, busyTimeoutMilliseconds: Int32 = 10_000, readOnly: Bool = false) throws(SQLiteError) {
        self.path = path
        if !readOnly { PrivateFiles.createFileIfMissing(path) }
        var connection: OpaquePointer?
        let flags =
            readOnly
            ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(readOnly ? Self.readOnlyName(path) : path, &connection, flags, nil)
        guard status == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(connection)
            throw SQLiteError(code: status, message: message, path: path)
        }
        handle = connection
        sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(connection, 1)
    }

    /// The URI that opens `path` for reading without writing a byte.
    ///
    /// A read-only connection to a WAL database whose `-wal` and `-shm`
    /// files are gone (no process has it open) creates them and leaves them
    /// behind; with no `-wal` file the whole database is in the main file,
    /// so it is opened `immutable` instead, which creates nothing. With a
    /// `-wal` file (the agent is running), `mode=ro` reads it, and the files
    /// it would create are there already.
    static func readOnlyName(_ path: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "/-._~"))
        let encoded = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
        let inUse = FileManager.default.fileExists(atPath: path + "-wal")
        return "file:" + encoded + (inUse ? "?mode=ro" : "?immutable=1")
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Closes the connection: its statements are finalised and its files
    /// closed. Later calls fail; a second `close()` does nothing.
    package func close() {
        lock.lock()
        defer { lock.unlock() }
        statements.removeAll()
        sqlite3_close_v2(handle)
        handle = nil
    }

    /// Runs `body` on the database's own serial queue and returns what it
    /// returns: how async code uses the database without blocking a
    /// cooperative thread.
    package func perform<Result: Sendable, Failure: Error>(
        _ body: @escaping @Sendable () throws(Failure) -> Result
    ) async throws(Failure) -> Result {
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Swift.Result<Result, Failure>, Never>) in
            queue.async {
                continuation.resume(returning: Swift.Result { () throws(Failure) -> Result in try body() })
            }
        }
        return try outcome.get()
    }

    /// Runs one or more statements that take no parameters (schema, pragmas).
    package func executeScript(_ sql: String) throws(SQLiteError) {
        try withLock { (handle) throws(SQLiteError) in
            var message: UnsafeMutablePointer<CChar>?
            let status = sqlite3_exec(handle, sql, nil, nil, &message)
            guard status == SQLITE_OK else {
                let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(status))
                sqlite3_free(message)
                throw SQLiteError(code: status, message: text, path: path)
            }
        }
    }

    /// Runs one statement with positional parameters (`?`) and returns its rows.
    @discardableResult
    package func query(_ sql: String, _ parameters: SQLiteValue...) throws(SQLiteError) -> [SQLiteRow] {
        try query(sql, parameters: parameters)
    }

    /// Runs one statement with positional parameters (`?`) and returns its rows.
    @discardableResult
    package func query(_ sql: String, parameters: [SQLiteValue]) throws(SQLiteError) -> [SQLiteRow] {
        try withLock { (handle) throws(SQLiteError) in
            try statement(for: sql, on: handle).run(parameters)
        }
    }

    /// Runs one statement with positional parameters and hands each row to
    /// `body` as it comes, without collecting them: for results that grow
    /// with the number of files.
    package func forEachRow(_ sql: String, _ parameters: SQLiteValue..., body: (SQLiteRow) -> Void) throws(SQLiteError) {
        try withLock { (handle) throws(SQLiteError) in
            try statement(for: sql, on: handle).forEachRow(parameters, body)
        }
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back when it throws.
    ///
    /// `IMMEDIATE` takes the write lock at the start, so two processes doing a
    /// read-then-insert on the same file serialise instead of both inserting.
    package func transaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        try executeScript("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try executeScript("COMMIT")
            return result
        } catch {
            try? executeScript("ROLLBACK")
            throw error
        }
    }

    private func statement(for sql: String, on handle: OpaquePointer) throws(SQLiteError) -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        var prepared: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &prepared, nil)
        guard status == SQLITE_OK, let prepared else { throw SQLiteError(status, on: handle, path: path) }
        let statement = SQLiteStatement(handle: prepared, path: path)
        statements[sql] = statement
        return statement
    }

    /// Runs `body` with the open connection, under the lock.
    /// - Throws: ``SQLiteError/closed(_:)`` once the connection is closed,
    ///   else what `body` throws.
    private func withLock<T>(_ body: (OpaquePointer) throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        lock.lock()
        defer { lock.unlock() }
        guard let handle else { throw SQLiteError.closed(path) }
        return try body(handle)
    }
}
