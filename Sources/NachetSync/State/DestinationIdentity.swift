import Foundation

/// Which datastore the agent writes into: the catalogue and the blob store,
/// each named by what it is where the store says so, else by where it is,
/// never by the credentials used to reach it.
///
/// The state file's records belong to one destination (``SyncState``): a
/// record says what one catalogue and one blob store hold, so another
/// catalogue or blob store starts from records of its own, and switching
/// back finds the old ones again.
///
/// A configuration names a destination by its **address**
/// (``init(catalogue:schema:blobStore:)``):
/// - SQLite catalogue: its absolute path. PostgreSQL: host, port, database
///   and schema (not the user, never the password).
/// - Local blob store: its absolute path. Azure: the account and its blob
///   endpoint (never the key or the SAS).
///
/// Once reached, a destination is known by what it says it is
/// (``Intrinsic``, ``SyncState/recognise``): a PostgreSQL database by its
/// server's system identifier, its oid and the schema; a local blob store
/// by the id in its root; an Azure account by its name. The same database
/// through a pooler, a fail-over name or `localhost` instead of
/// `127.0.0.1` is then the same destination, and a database of the same
/// name on another server another one.
package struct DestinationIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The catalogue's identity, e.g. `sqlite:/var/lib/nachet-sync/catalogue.sqlite`
    /// or `postgresql://db.lab.example:5432/nachet?schema=nachet_0.1.0`.
    package var catalogue: String
    /// The blob store's identity, e.g. `local:/var/lib/nachet-sync/blobs` or
    /// `azure:nachetlab@https://nachetlab.blob.core.windows.net`.
    package var blobStore: String

    /// A destination named by its two identities, as the state file stores them.
    package init(catalogue: String, blobStore: String) {
        self.catalogue = catalogue
        self.blobStore = blobStore
    }

    /// The destination a configuration names.
    ///
    /// - Parameters:
    ///   - catalogue: `--catalogue` / `NACHET_DB_URL`, resolved.
    ///   - schema: `--schema` / `NACHET_SCHEMA`: another schema is another catalogue.
    ///   - blobStore: `--blob-store` / `NACHET_STORAGE_URL`, resolved.
    package init(catalogue: CatalogueLocation, schema: String?, blobStore: BlobStoreLocation) {
        self.init(catalogue: Self.identity(of: catalogue, schema: schema), blobStore: Self.identity(of: blobStore))
    }

    /// `catalogue → blob store`, for messages; holds no secret.
    package var description: String { "\(catalogue) → \(blobStore)" }

    /// What a destination says it is, read from itself: each half `nil`
    /// where its store offers nothing of the kind.
    package struct Intrinsic: Sendable, Equatable {
        package var catalogue: String?
        package var blobStore: String?

        package init(catalogue: String?, blobStore: String?) {
            self.catalogue = catalogue
            self.blobStore = blobStore
        }
    }

    /// A PostgreSQL database by what it is: its server's system identifier
    /// (`pg_control_system()`), the database's oid and the schema.
    static func postgresCluster(system: String, database: String, schema: String) -> String {
        "postgresql-system:\(system)/\(database)?schema=\(schema)"
    }

    /// Whether `half` (a catalogue's or a blob store's identity) names a
    /// store by what it is, rather than by its address.
    static func isIntrinsic(_ half: String) -> Bool {
        ["postgresql-system:", "local-store:", "azure-account:", "nachet-serve:"].contains { half.hasPrefix($0) }
    }

    static func identity(of catalogue: CatalogueLocation, schema: String?) -> String {
        switch catalogue {
        case .sqlite(let path):
            return "sqlite:" + AgentConfiguration.absolute(path)
        case .postgres(let connection):
            let schemaPart = schema.map { "?schema=" + $0 } ?? ""
            guard let address = PostgresServerAddress(connectionString: connection) else {
                // Unparsable: the agent cannot connect with it either; still
                // named without its secrets.
                return "postgresql:" + SecretMasking.maskConnectionString(connection) + schemaPart
            }
            return "postgresql://\(address)" + schemaPart
        }
    }

    static func identity(of blobStore: BlobStoreLocation) -> String {
        switch blobStore {
        case .directory(let path):
            return "local:" + AgentConfiguration.absolute(path)
        case .azure(let connection):
            guard let account = try? AzureAccount(parsing: connection) else {
                return "azure:" + SecretMasking.maskConnectionString(connection)
            }
            var components = URLComponents(url: account.endpoint, resolvingAgainstBaseURL: false)
            components?.query = nil
            var endpoint = (components?.string ?? account.endpoint.absoluteString).lowercased()
            if endpoint.hasSuffix("/") { endpoint.removeLast() }
            return "azure:\(account.name)@\(endpoint)"
        }
    }
}

extension AgentConfiguration {
    /// The catalogue and blob store this configuration writes into, as the
    /// state file keeps its records.
    package var destination: DestinationIdentity {
        if let api {
            // Through Nachet's API, the service is the destination: its URL
            // names it (a token is never part of it).
            return DestinationIdentity(catalogue: "nachet-api:" + api.baseURL, blobStore: "nachet-api:" + api.baseURL)
        }
        return DestinationIdentity(catalogue: catalogue, schema: schema, blobStore: blobStore)
    }
}
