import Foundation

extension PostgresCatalogue {
    /// The oldest server version the agent supports (`gen_random_uuid()` and
    /// `hashtextextended` are there from 13 on).
    static let minimumServerVersion = 130_000

    /// The tables `nachet-sync db init` creates: Nachet's columns, types,
    /// not-null and foreign keys, for an empty development database or schema.
    /// Every statement is idempotent.
    static let initStatements = [
        """
        CREATE TABLE IF NOT EXISTS users (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            email varchar(255) NOT NULL,
            registration_date timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
            updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
            default_set_id uuid
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS picture_set (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            picture_set json NOT NULL,
            owner_id uuid NOT NULL REFERENCES users(id),
            upload_date date NOT NULL DEFAULT CURRENT_DATE,
            name text
        )
        """,
        """
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'users_default_set_id_fkey'
                           AND conrelid = 'users'::regclass) THEN
                ALTER TABLE users ADD CONSTRAINT users_default_set_id_fkey
                    FOREIGN KEY (default_set_id) REFERENCES picture_set(id);
            END IF;
        END $$
        """,
        """
        CREATE TABLE IF NOT EXISTS picture (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            picture json NOT NULL,
            picture_set_id uuid NOT NULL REFERENCES picture_set(id) ON DELETE CASCADE,
            nb_obj integer NOT NULL,
            verified boolean NOT NULL DEFAULT false,
            upload_date timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS seed (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            name text NOT NULL,
            object_type_id integer
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS picture_seed (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            picture_id uuid NOT NULL REFERENCES picture(id) ON DELETE CASCADE,
            seed_id uuid NOT NULL REFERENCES seed(id),
            upload_date timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
        )
        """,
        // The agent finds pictures by (set, sha256); without this index each
        // lookup scans the set's pictures. Recommended on production too.
        "CREATE INDEX IF NOT EXISTS picture_set_id_sha256 ON picture (picture_set_id, (picture->>'sha256'))",
        "CREATE INDEX IF NOT EXISTS picture_set_owner_name ON picture_set (owner_id, name)",
    ]

    /// The tables the agent reads and writes; all must exist.
    static let requiredTables = ["users", "seed", "picture_set", "picture", "picture_seed"]
}
