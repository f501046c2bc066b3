import CLibpq
import Foundation

/// A live libpq connection, used only on its ``PostgresConnection``'s queue.
///
/// Every statement goes through `PQexecParams` with text parameters: no SQL
/// is ever built from user data.
package struct PostgresSession {
    let handle: OpaquePointer

    /// Runs one statement with parameters `$1…$n` and returns its rows as text.
    @discardableResult
    package func query(_ sql: String, _ parameters: String?...) throws(PostgresError) -> [[String?]] {
        try query(sql, parameters: parameters)
    }

    /// Runs one statement with parameters `$1…$n` and returns its rows as text.
    @discardableResult
    package func query(_ sql: String, parameters: [String?]) throws(PostgresError) -> [[String?]] {
        let copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let result: OpaquePointer? = copies.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                PQexecParams(handle, sql, Int32(parameters.count), nil, values.baseAddress, nil, nil, 0)
            }
        }
        defer { PQclear(result) }
        let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK, let result else {
            throw error(result)
        }
        return Self.rows(result)
    }

    private static func rows(_ result: OpaquePointer) -> [[String?]] {
        let rows = PQntuples(result)
        let columns = PQnfields(result)
        return (0..<rows).map { row in
            (0..<columns).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
        }
    }

    private func connectionError() -> PostgresError {
        PostgresError(message: String(cString: PQerrorMessage(handle)), connectionLost: PQstatus(handle) != CONNECTION_OK)
    }

    /// One statement of a ``pipeline(_:)``.
    package struct Statement {
        package var sql: String
        package var parameters: [String?]

        package init(_ sql: String, _ parameters: String?...) {
            self.init(sql, parameters: parameters)
        }

        package init(_ sql: String, parameters: [String?]) {
            self.sql = sql
            self.parameters = parameters
        }
    }

    /// Sends `statements` in one round trip (libpq pipeline mode) and returns
    /// the rows of each. The server runs them in order; after a failure it
    /// skips the rest, and the first error is thrown.
    ///
    /// With `BEGIN` first and `COMMIT` last this is one transaction for one
    /// network round trip instead of one per statement; a transaction left
    /// open by a failure is rolled back before returning.
    package func pipeline(_ statements: [Statement]) throws(PostgresError) -> [[[String?]]] {
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError() }
        var sent = 0
        for statement in statements {
            let copies = statement.parameters.map { $0.map { strdup($0) } ?? nil }
            defer { copies.forEach { free($0) } }
            let accepted = copies.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { values in
                    PQsendQueryParams(handle, statement.sql, Int32(statement.parameters.count), nil, values.baseAddress, nil, nil, 0)
                }
            }
            guard accepted == 1 else { break }
            sent += 1
        }
        PQpipelineSync(handle)
        var results: [[[String?]]] = []
        var failure: PostgresError?
        for _ in 0..<sent {
            var rows: [[String?]] = []
            while let result = PQgetResult(handle) {
                let status = PQresultStatus(result)
                if status == PGRES_TUPLES_OK {
                    rows = Self.rows(result)
                } else if status != PGRES_COMMAND_OK && failure == nil && status != PGRES_PIPELINE_ABORTED {
                    failure = error(result)
                }
                PQclear(result)
            }
            results.append(rows)
        }
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_PIPELINE_SYNC { break }
        }
        PQexitPipelineMode(handle)
        if sent < statements.count && failure == nil { failure = connectionError() }
        if let failure {
            if PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) != PQTRANS_IDLE { _ = try? query("ROLLBACK") }
            throw failure
        }
        return results
    }

    /// Runs `body` between `BEGIN` and `COMMIT`, rolling back when it throws.
    package func transaction<T>(_ body: () throws -> T) throws -> T {
        try query("BEGIN")
        do {
            let value = try body()
            try query("COMMIT")
            return value
        } catch {
            if PQstatus(handle) == CONNECTION_OK { _ = try? query("ROLLBACK") }
            throw error
        }
    }

    /// The server's version as an integer (`150018` for 15.18).
    package var serverVersion: Int { Int(PQserverVersion(handle)) }

    private func error(_ result: OpaquePointer?) -> PostgresError {
        func field(_ code: Int32) -> String? {
            result.flatMap { PQresultErrorField($0, code) }.map { String(cString: $0) }
        }
        let message = field(nachet_pq_diag_message_primary()) ?? String(cString: PQerrorMessage(handle))
        let sqlState = field(nachet_pq_diag_sqlstate())
        let lost = PQstatus(handle) != CONNECTION_OK || sqlState?.hasPrefix("08") == true || sqlState == "57P01"
        return PostgresError(sqlState: sqlState, message: message, hint: field(nachet_pq_diag_message_hint()), connectionLost: lost)
    }
}
