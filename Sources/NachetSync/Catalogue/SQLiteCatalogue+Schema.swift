import Foundation

extension SQLiteCatalogue {
    /// The Nachet tables, with SQLite types: uuids as text, JSON as text.
    ///
    /// The columns are those of Nachet's PostgreSQL schema. The two indexes
    /// are the embedded catalogue's own: they keep the per-picture lookups by
    /// content hash and the per-set lookup by owner and name fast.
    static let schema = """
        PRAGMA foreign_keys = ON;
        CREATE TABLE IF NOT EXISTS users (
            id TEXT PRIMARY KEY NOT NULL,
            email VARCHAR(255) NOT NULL,
            registration_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
            updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
            default_set_id TEXT REFERENCES picture_set(id)
        );
        CREATE TABLE IF NOT EXISTS seed (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            object_type_id INTEGER
        );
        CREATE TABLE IF NOT EXISTS picture_set (
            id TEXT PRIMARY KEY NOT NULL,
            picture_set JSON NOT NULL,
            owner_id TEXT NOT NULL REFERENCES users(id),
            upload_date DATE DEFAULT CURRENT_DATE,
            name TEXT
        );
        CREATE TABLE IF NOT EXISTS picture (
            id TEXT PRIMARY KEY NOT NULL,
            picture JSON NOT NULL,
            picture_set_id TEXT NOT NULL REFERENCES picture_set(id) ON DELETE CASCADE,
            nb_obj INTEGER NOT NULL,
            verified BOOLEAN DEFAULT FALSE,
            upload_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP
        );
        CREATE TABLE IF NOT EXISTS picture_seed (
            id TEXT PRIMARY KEY NOT NULL,
            picture_id TEXT NOT NULL REFERENCES picture(id) ON DELETE CASCADE,
            seed_id TEXT NOT NULL REFERENCES seed(id),
            upload_date TIMESTAMP DEFAULT CURRENT_TIMESTAMP
        );
        CREATE INDEX IF NOT EXISTS users_by_email ON users (lower(email));
        CREATE INDEX IF NOT EXISTS picture_set_by_owner_name ON picture_set (owner_id, name);
        CREATE INDEX IF NOT EXISTS picture_by_set_sha256 ON picture (picture_set_id, json_extract(picture, '$.sha256'));
        """
}
