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
    /// How connections are retried when the server cannot be reached;
    /// `nil`: a failure is thrown at once.
    private let retry: RetryPolicy?
    /// Where each failure to connect is said.
    private let health: StoreHealth?
    private let queue = DispatchQueue(label: "nachet-sync.postgres")
    /// Only read and written on `queue`.
    private var handle: OpaquePointer?

    /// - Parameters:
    ///   - connectionString: A libpq URL or `key=value` string; passwords may
    ///     also come from `PGPASSWORD` or `~/.pgpass`, as libpq reads them.
    ///   - schema: When given, `search_path` is set to `<schema>, public`.
    ///   - retry: When given, a server that cannot be reached is tried again
    ///     until the give-up time; else the first failure is thrown.
    ///   - health: Where each new cause of failure is said at once.
    ///   - onConnect: Runs after each (re)connection, e.g. to check the schema.
    package init(
        connectionString: String,
        schema: String?,
        retry: RetryPolicy? = nil,
        health: StoreHealth? = nil,
        onConnect: @escaping @Sendable (PostgresSession) throws -> Void = { _ in }
    ) {
        self.connectionString = connectionString
        self.schema = schema
        self.retry = retry
        self.health = health
        self.onConnect = onConnect
        displayName = PostgresConnectionString.redacting(connectionString)
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Runs `body` on the connection, connecting first when needed.
    ///
    /// A connection found broken is closed, so the next call reconnects. A
    /// server that cannot be reached is tried again until the give-up time,
    /// when there is one: `body` has not run then, so nothing is done twice.
    @discardableResult
    package func withSession<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) throws -> T) async throws -> T {
        var attempts = retry?.attempts(startingAt: .now)
        while true {
            do {
                let value = try await onQueue(body)
                health?.answered(.catalogue)
                return value
            } catch var error as PostgresError where error.couldNotConnect {
                guard let retry, let attempt = attempts?.attempt else { throw error }
                let cause = error.firstLine
                guard let pause = attempts?.pauseAfterFailure(at: .now) else {
                    health?.gaveUp(.catalogue, cause: cause)
                    error.gaveUpAfter = retry.giveUpAfter
                    throw error
                }
                health?.retrying(.catalogue, cause: cause, place: "PostgreSQL \(displayName)", retryingFor: retry.giveUpAfter, retry: attempt)
                try await Task.sleep(for: pause)
            }
        }
    }

    /// Runs `body` once on the connection's queue, connecting first when needed.
    private func onQueue<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) throws -> T) async throws -> T {
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

    /// Opens a connection. The defaults given here come before the user's
    /// string, which wins: a 5 s connect timeout (the whole connection,
    /// login included, so a server that accepts and never answers is plain
    /// soon), TCP keepalives that find a vanished server within about a
    /// minute, and the application name.
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
        let keywords = [
            "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "application_name", "dbname",
        ]
        let values = [String(connectTimeoutSeconds), "1", "30", "10", "3", "nachet-sync", connectionString]
        let connection = withArrayOfCStrings(keywords) { keywordPointers in
            withArrayOfCStrings(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else { throw PostgresError(message: "out of memory", connectionLost: true) }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = parsed.scrubbing(String(cString: PQerrorMessage(connection)))
            PQfinish(connection)
            var error = PostgresError(message: message, connectionLost: true)
            error.couldNotConnect = isPassing(message)
            throw error
        }
        nachet_pq_silence_notices(connection)
        return connection
    }
}

/// libpq's `connect_timeout`, in seconds, unless the connection string sets one.
let connectTimeoutSeconds = 5

/// Whether libpq's message about a failed connection says the server could
/// not be reached (down, refusing, silent, unresolvable, starting or
/// stopping), which may pass, rather than that it refused this login,
/// database or string, which needs a person.
private func isPassing(_ message: String) -> Bool {
    let lowered = message.lowercased()
    let refusedLogin = ["password", "authentication", "does not exist", "pg_hba.conf", "permission denied"]
    guard !refusedLogin.contains(where: lowered.contains) else { return false }
    let passing = [
        "connection refused", "timeout expired", "timed out", "could not translate host name", "no route to host",
        "network is unreachable", "server closed the connection unexpectedly", "the database system is starting up",
        "the database system is shutting down", "the database system is in recovery mode", "no such file or directory",
        "could not connect", "connection reset", "too many clients",
    ]
    return passing.contains(where: lowered.contains)
}

/// Calls `body` with a NULL-terminated array of C strings, which a C
/// function taking `const char *const *` accepts as it is.
private func withArrayOfCStrings<T>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return body(copies.map { $0.map { UnsafePointer<CChar>($0) } } + [nil])
}
