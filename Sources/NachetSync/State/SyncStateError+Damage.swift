import Foundation

extension SyncStateError {
    /// The state file at `path` could not be opened or updated, said with
    /// the fix.
    ///
    /// A damaged file (SQLite finds no database in it, or a malformed one)
    /// is said to be safe to move aside: the state file is a cache of what
    /// the datastore holds, so the agent rebuilds it by hashing every file
    /// again, and pictures already stored are found again by their SHA-256
    /// instead of being uploaded twice.
    static func cannotUse(_ path: String, doing action: String, _ error: any Error) -> SyncStateError {
        guard let failure = error as? SQLiteError, failure.isDamage else {
            return SyncStateError("cannot \(action) the state file: \(error)")
        }
        let companions = ["-wal", "-shm"].map { path + $0 }.filter { FileManager.default.fileExists(atPath: $0) }
        let moves = ([path] + companions).map { "mv \($0) \($0).damaged" }.joined(separator: "; ")
        return SyncStateError(
            "the state file \(path) is damaged (SQLite: \(failure.message)). It is only a cache of what the catalogue and blob store hold: "
                + "with the agent stopped, move it aside (\(moves)) and start the agent again; it rebuilds the state file by hashing "
                + "every file again, and uploads nothing twice (pictures already stored are found by their SHA-256)"
        )
    }
}
