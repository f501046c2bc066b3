import Foundation

/// How the state file's records follow their destination by what it is,
/// not by the address that reaches it (``DestinationIdentity``).
///
/// The file learns, for each address a catalogue or blob store was reached
/// at, what that store said it is (`destination_aliases`); records are kept
/// under what the store is. Opening the file at an address takes the
/// records of what that address reached last time (``key(for:in:)``); once
/// the destination has said what it is, the engine makes the records of
/// that destination the live ones (``adopt(_:as:reachedAt:)``), whichever
/// address they were written through.
extension SyncState {
    /// The records of one destination: the live ones, or those parked.
    package struct RecordGroup: Sendable, Equatable {
        /// The destination they are kept under.
        package var key: DestinationIdentity
        /// Whether they are the live records.
        package var isLive: Bool
        /// How many folders they hold a record of.
        package var folders: Int
        /// Some of their picture sets (at most the number sampled), each
        /// with its owner where recorded.
        package var sets: [UUID: UUID?]
    }

    /// What records reached at `address` are kept under: each half as the
    /// store it reached last said it is, else the address itself.
    package func key(for address: DestinationIdentity) throws(SyncStateError) -> DestinationIdentity {
        try run { try Self.key(for: address, in: database) }
    }

    static func key(for address: DestinationIdentity, in database: SQLiteDatabase) throws -> DestinationIdentity {
        let exists = try database.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'destination_aliases'")
        guard !exists.isEmpty else { return address }
        func resolve(_ half: String) throws -> String {
            try database.query("SELECT identity FROM destination_aliases WHERE address = ?", .text(half)).first?[0].text ?? half
        }
        return DestinationIdentity(catalogue: try resolve(address.catalogue), blobStore: try resolve(address.blobStore))
    }

    /// The live records and every parked group, each with up to `limit` of
    /// its sets, under what they are kept (through the addresses learned).
    package func recordGroups(sampling limit: Int) throws(SyncStateError) -> [RecordGroup] {
        try run {
            var groups: [RecordGroup] = []
            if let live = try Self.recordedDestination(in: database) {
                let count = Int(try database.query("SELECT count(*) FROM folders").first?[0].integer ?? 0)
                let sets = try sample(
                    "SELECT picture_set_id, user_id FROM folders WHERE picture_set_id IS NOT NULL LIMIT ?", [.integer(Int64(limit))])
                groups.append(RecordGroup(key: try Self.key(for: live, in: database), isLive: true, folders: count, sets: sets))
            }
            let parked = try database.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'parked_folders'")
            guard !parked.isEmpty else { return groups }
            let keys = try database.query(
                "SELECT parked_catalogue, parked_blob_store, count(*) FROM parked_folders GROUP BY parked_catalogue, parked_blob_store")
            for row in keys {
                let key = DestinationIdentity(catalogue: row[0].text ?? "", blobStore: row[1].text ?? "")
                let sets = try sample(
                    """
                    SELECT picture_set_id, user_id FROM parked_folders
                    WHERE parked_catalogue = ? AND parked_blob_store = ? AND picture_set_id IS NOT NULL LIMIT ?
                    """, [.text(key.catalogue), .text(key.blobStore), .integer(Int64(limit))])
                groups.append(
                    RecordGroup(key: key, isLive: false, folders: Int(row[2].integer ?? 0), sets: sets))
            }
            return groups
        }
    }

    private func sample(_ sql: String, _ parameters: [SQLiteValue]) throws -> [UUID: UUID?] {
        var sets: [UUID: UUID?] = [:]
        for row in try database.query(sql, parameters: parameters) {
            guard let set = row[0].text.flatMap(UUID.init(uuidString:)) else { continue }
            sets[set] = row[1].text.flatMap(UUID.init(uuidString:))
        }
        return sets
    }

    /// Makes the records of `group` the live ones, kept from now on under
    /// `key` (what the destination reached at `address` said it is), in
    /// one transaction; `nil` starts `key` with no record (the live ones
    /// are parked). Every address that reached `group` now names `key`.
    package func adopt(_ group: DestinationIdentity?, as key: DestinationIdentity, reachedAt address: DestinationIdentity)
        throws(SyncStateError)
    {
        try run {
            try database.transaction {
                let live = try Self.recordedDestination(in: database)
                if let live, live != group {
                    try Self.switchRecords(from: live, to: group, in: database)
                }
                try Self.label(key, in: database)
                var renamed: [(String, String)] = [(address.catalogue, key.catalogue), (address.blobStore, key.blobStore)]
                if let group { renamed += [(group.catalogue, key.catalogue), (group.blobStore, key.blobStore)] }
                let now = Date().timeIntervalSince1970
                for (old, new) in renamed where old != new {
                    try database.query("UPDATE destination_aliases SET identity = ? WHERE identity = ?", .text(new), .text(old))
                    try database.query(
                        "INSERT OR REPLACE INTO destination_aliases (address, identity, used_at) VALUES (?, ?, ?)", .text(old), .text(new),
                        .real(old == address.catalogue || old == address.blobStore ? now : 0))
                }
            }
        }
    }

    /// `key` as a person knows it: each half by the address that reached
    /// it last, when it is known by what it is.
    package func displayName(of key: DestinationIdentity) throws(SyncStateError) -> DestinationIdentity {
        try run {
            let exists = try database.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'destination_aliases'")
            guard !exists.isEmpty else { return key }
            func address(_ half: String) throws -> String {
                try database.query(
                    "SELECT address FROM destination_aliases WHERE identity = ? ORDER BY used_at DESC, address LIMIT 1", .text(half)
                ).first?[0].text ?? half
            }
            return DestinationIdentity(catalogue: try address(key.catalogue), blobStore: try address(key.blobStore))
        }
    }
}
