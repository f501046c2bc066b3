import Foundation
import Glibc

extension SQLiteCatalogue {
    /// What the state file says was stored in a catalogue file, so that a
    /// file deleted, emptied or replaced since is refused instead of being
    /// made anew, silently, as an empty catalogue.
    package struct Expected: Sendable, Equatable {
        /// Files the state file records as stored there.
        package var pictures: Int
        /// The state file, for the message.
        package var stateFile: String

        package init(pictures: Int, stateFile: String) {
            self.pictures = pictures
            self.stateFile = stateFile
        }
    }

    /// Refuses to make a new catalogue at `path` where `expected` says one
    /// held pictures: the file is gone, or empty (a crash, a stray `>`).
    /// SQLite would take either as a new, empty database.
    static func refuseLost(_ path: String, expected: Expected?) throws(CatalogueError) {
        guard let expected, expected.pictures > 0 else { return }
        var status = stat()
        if stat(path, &status) != 0 {
            throw lost(path, "is gone", expected)
        }
        if status.st_size == 0 {
            throw lost(path, "is empty (0 bytes: emptied by a crash or a stray `>`)", expected)
        }
    }

    /// Refuses an opened catalogue that holds no picture where `expected`
    /// says pictures were stored: a file replaced by another SQLite
    /// database (without Nachet's tables), or emptied and made anew since
    /// (by an older version, or `db init`). Only the agents write the
    /// embedded catalogue; pictures removed one by one are the datastore
    /// check's to find, not this.
    static func refuseEmptied(_ database: SQLiteDatabase, expected: Expected?) throws {
        guard let expected, expected.pictures > 0 else { return }
        let tables = try database.query(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'picture_set', 'picture')"
        ).first?[0].integer ?? 0
        guard tables == 3 else { throw lost(database.path, "holds none of Nachet's tables", expected) }
        let pictures = try database.query("SELECT EXISTS (SELECT 1 FROM picture)").first?[0].integer ?? 0
        if pictures == 0 { throw lost(database.path, "holds no picture at all", expected) }
    }

    private static func lost(_ path: String, _ what: String, _ expected: Expected) -> CatalogueError {
        CatalogueError(
            .misconfigured,
            "the catalogue \(path) \(what), but the state file \(expected.stateFile) says \(expected.pictures) pictures were stored in it; "
                + "nothing is written until it is back: restore it from a backup (or put it back where it was), or, to start a new, empty "
                + "catalogue on purpose, move the state file aside too (every picture is then stored again)"
        )
    }

    /// A catalogue file SQLite finds damaged, or no database at all.
    static func damaged(_ path: String, _ error: SQLiteError) -> CatalogueError {
        CatalogueError(
            .misconfigured,
            "the catalogue \(path) is damaged or is not an SQLite database (\(error.message)); nothing is written to it: "
                + "restore it from a backup, or move it aside to start a new, empty catalogue (with the state file, so every picture is stored again)"
        )
    }
}
