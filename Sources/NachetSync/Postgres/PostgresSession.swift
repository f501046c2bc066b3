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
        let rows = PQntuples(result)
        let columns = PQnfields(result)
        return (0..<rows).map { row in
            (0..<columns).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
        }
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
