import CSQLite
import Foundation

/// A prepared statement, owned by one ``SQLiteDatabase`` and used under its lock.
///
/// It holds no reference to its database (which holds it): a reference back
/// would keep both, and the connection's files, open for ever.
final class SQLiteStatement {
    private let handle: OpaquePointer
    /// The database file, for messages.
    private let path: String

    init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Runs the statement with `parameters` and returns every row.
    func run(_ parameters: [SQLiteValue]) throws(SQLiteError) -> [SQLiteRow] {
        var rows: [SQLiteRow] = []
        try forEachRow(parameters) { rows.append($0) }
        return rows
    }

    /// Runs the statement with `parameters`, handing each row to `body` as it
    /// is stepped to, so a large result is never held whole.
    func forEachRow(_ parameters: [SQLiteValue], _ body: (SQLiteRow) -> Void) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (index, value) in parameters.enumerated() {
            try bind(value, at: Int32(index + 1))
        }
        while true {
            let status = sqlite3_step(handle)
            switch status {
            case SQLITE_ROW:
                body(currentRow())
            case SQLITE_DONE:
                sqlite3_reset(handle)
                return
            default:
                let error = SQLiteError(status, on: sqlite3_db_handle(handle), path: path)
                sqlite3_reset(handle)
                throw error
            }
        }
    }

    private func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        let status: Int32
        switch value {
        case .null:
            status = sqlite3_bind_null(handle, index)
        case .integer(let integer):
            status = sqlite3_bind_int64(handle, index, integer)
        case .real(let real):
            status = sqlite3_bind_double(handle, index, real)
        case .text(let text):
            status = sqlite3_bind_text(handle, index, text, -1, nachet_sqlite_transient())
        }
        guard status == SQLITE_OK else { throw SQLiteError(status, on: sqlite3_db_handle(handle), path: path) }
    }

    private func currentRow() -> SQLiteRow {
        let count = sqlite3_column_count(handle)
        var values: [SQLiteValue] = []
        values.reserveCapacity(Int(count))
        for column in 0..<count {
            switch sqlite3_column_type(handle, column) {
            case SQLITE_INTEGER:
                values.append(.integer(sqlite3_column_int64(handle, column)))
            case SQLITE_FLOAT:
                values.append(.real(sqlite3_column_double(handle, column)))
            case SQLITE_NULL:
                values.append(.null)
            default:
                let text = sqlite3_column_text(handle, column).map { String(cString: $0) } ?? ""
                values.append(.text(text))
            }
        }
        return SQLiteRow(values: values)
    }
}

/// One row of a query result, read by column position.
package struct SQLiteRow: Sendable {
    package var values: [SQLiteValue]

    package subscript(_ column: Int) -> SQLiteValue {
        column < values.count ? values[column] : .null
    }
}
