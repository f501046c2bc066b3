import CSQLite
import Foundation

/// An error reported by SQLite, with the file it concerns.
package struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// SQLite's primary result code (`SQLITE_BUSY`, `SQLITE_FULL`, …).
    package var code: Int32
    /// SQLite's own message for the failure.
    package var message: String
    /// The database file the failure concerns.
    package var path: String

    package init(code: Int32, message: String, path: String) {
        self.code = code
        self.message = message
        self.path = path
    }

    /// The failure `status` of a call on the connection `handle`, with its message.
    init(_ status: Int32, on handle: OpaquePointer?, path: String) {
        self.init(code: status, message: handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status)), path: path)
    }

    /// A call on a connection already closed (``SQLiteDatabase/close()``).
    static func closed(_ path: String) -> SQLiteError {
        SQLiteError(code: SQLITE_MISUSE, message: "the connection is closed", path: path)
    }

    package var description: String {
        "\(path): \(message) (SQLite error \(code))\(advice.map { ". \($0)" } ?? "")"
    }

    /// What a user can do about the most common failures.
    package var advice: String? {
        switch code & 0xff {
        case 13: "The disk is full: free space on the volume holding this file"
        case 5, 6: "Another nachet-sync process is holding the database; stop it or wait"
        case 8: "The file is read-only: check its permissions and those of its folder"
        case 14: "The file cannot be opened: check that its folder exists and is writable"
        case 11, 26: "The file is damaged or is not an SQLite database"
        default: nil
        }
    }

    /// Whether the failure means the disk is full.
    package var isDiskFull: Bool { code & 0xff == 13 }

    /// Whether SQLite found the file damaged, or no database in it
    /// (`SQLITE_CORRUPT`, `SQLITE_NOTADB`).
    package var isDamage: Bool { code & 0xff == 11 || code & 0xff == 26 }
}
