import CLibpq
import Dispatch
import Foundation

/// One connection to PostgreSQL through libpq, opened on first use and
/// reopened after it is lost.
///
/// libpq calls block, so they run on the connection's own serial queue and
/// never on Swift's cooperative threads; callers `await` their results.
package final class PostgresConnection: @unchecked Sendable {
    /// The connection string as a user may see it: password masked.
    package let displayName: String
    private let connectionString: String
    private let schema: String?
    private let onConnect: @Sendable (PostgresSession) throws -> Void
    private let queue = DispatchQueue(label: "nachet-sync.postgres")
    /// Only read and written on `queue`.
    private var handle: OpaquePointer?

    /// - Parameters:
    ///   - connectionString: A libpq URL or `key=value` string; passwords may
    ///     also come from `PGPASSWORD` or `~/.pgpass`, as libpq reads them.
    ///   - schema: When given, `search_path` is set to `<schema>, public`.
    ///   - onConnect: Runs after each (re)connection, e.g. to check the schema.
    package init(
        connectionString: String,
        schema: String?,
        onConnect: @escaping @Sendable (PostgresSession) throws -> Void = { _ in }
    ) {
        self.connectionString = connectionString
        self.schema = schema
        self.onConnect = onConnect
        displayName = PostgresConnectionString.redacting(connectionString)
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Runs `body` on the connection, connecting first when needed.
    ///
    /// A connection found broken is closed, so the next call reconnects.
    @discardableResult
    package func withSession<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do {
                    let session = try self.session()
                    continuation.resume(returning: try body(session))
                } catch {
                    if let handle = self.handle, PQstatus(handle) != CONNECTION_OK {
                        PQfinish(handle)
                        self.handle = nil
                    }
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Closes the connection; the next call opens a new one.
    package func close() async {
        await withCheckedContinuation { continuation in
            queue.async {
                if let handle = self.handle { PQfinish(handle) }
                self.handle = nil
                continuation.resume()
            }
        }
    }

    private func session() throws -> PostgresSession {
        if let handle, PQstatus(handle) == CONNECTION_OK { return PostgresSession(handle: handle) }
        if let handle { PQfinish(handle) }
        handle = nil
        let connection = try Self.connect(connectionString)
        let session = PostgresSession(handle: connection)
        do {
            if let schema {
                try session.query("SELECT set_config('search_path', quote_ident($1) || ', public', false)", schema)
            }
            try onConnect(session)
        } catch {
            PQfinish(connection)
            throw error
        }
        handle = connection
        return session
    }

    /// Opens a connection. The defaults given here (a 10 s connect timeout,
    /// the application name) come before the user's string, which wins.
    ///
    /// The string is read by libpq's parser first, so a string it cannot
    /// read is refused with a message of ours (libpq's quotes what it
    /// stopped at, perhaps a piece of the password), and libpq's messages
    /// about the connection are said without the string's secrets.
    private static func connect(_ connectionString: String) throws(PostgresError) -> OpaquePointer {
        let parsed: PostgresConnectionString
        do {
            parsed = try PostgresConnectionString(parsing: connectionString)
        } catch {
            throw PostgresError(message: error.description, connectionStringUnusable: true)
        }
        let keywords = ["connect_timeout", "application_name", "dbname"]
        let values = ["10", "nachet-sync", connectionString]
        let connection = withArrayOfCStrings(keywords) { keywordPointers in
            withArrayOfCStrings(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else { throw PostgresError(message: "out of memory", connectionLost: true) }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = parsed.scrubbing(String(cString: PQerrorMessage(connection)))
            PQfinish(connection)
            throw PostgresError(message: message, connectionLost: true)
        }
        nachet_pq_silence_notices(connection)
        return connection
    }
}

/// Calls `body` with a NULL-terminated array of C strings, which a C
/// function taking `const char *const *` accepts as it is.
private func withArrayOfCStrings<T>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return body(copies.map { $0.map { UnsafePointer<CChar>($0) } } + [nil])
}
