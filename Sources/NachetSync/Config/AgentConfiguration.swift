import Foundation
import Logging

/// Everything the agent needs to run, resolved from flags, then `NACHET_*`
/// environment variables, then defaults.
package struct AgentConfiguration: Sendable {
    /// Holds the state file, and by default the embedded catalogue and blobs.
    package var stateDirectory: String
    package var catalogue: CatalogueLocation
    /// The PostgreSQL schema holding Nachet's tables (`NACHET_SCHEMA`).
    package var schema: String?
    package var blobStore: BlobStoreLocation
    package var extensions: ImageExtensions
    /// How Azure uploads are sent (`--verify`, block sizes, retries).
    package var azureUploads = AzureUploadOptions()
    /// Pictures in flight at once (`--parallel-uploads`), or where their
    /// number starts when it adapts.
    package var parallelUploads = SyncEngine.defaultPicturesInFlight
    /// Whether the pictures in flight follow the network (``PictureWindow``):
    /// unless `--parallel-uploads` fixes them.
    package var adaptsPicturesInFlight = true
    /// A set folder is taken only once a file of this name is in it (`--ready-marker`).
    package var readyMarker: String?
    /// Whether each set folder gets a `nachet-sync-status.txt` (`--status-file`).
    package var writesStatusFiles = false
    /// Whether symbolic links to images and set folders are followed
    /// (`--follow-symlinks`); off, each is reported and left alone.
    package var followsSymlinks = false
    /// How often the datastore is checked against the folders
    /// (`--verify-every`): at the start of `sync` and `watch`, then every
    /// interval in `watch`; `nil` when never.
    package var verifyInterval: Duration? = VerificationSchedule.defaultInterval

    /// How long an unreachable catalogue or blob store is retried before
    /// the agent gives up (`--give-up-after`).
    package var giveUpAfter = RetryPolicy.defaultGiveUpAfter
    /// When set (`--nachet-url`), pictures go through Nachet's batch-import
    /// API instead of into the catalogue and blob store.
    package var api: APIEndpoint?

    package init(
        stateDirectory: String,
        catalogue: CatalogueLocation,
        schema: String? = nil,
        blobStore: BlobStoreLocation,
        extensions: ImageExtensions
    ) {
        self.stateDirectory = stateDirectory
        self.catalogue = catalogue
        self.schema = schema
        self.blobStore = blobStore
        self.extensions = extensions
    }

    /// Resolves the configuration.
    ///
    /// - Parameters:
    ///   - stateDirectory: `--state-dir`, if given.
    ///   - catalogue: `--catalogue`, if given; else `NACHET_DB_URL`; else
    ///     `catalogue.sqlite` in the state directory.
    ///   - blobStore: `--blob-store`, if given; else `NACHET_STORAGE_URL`; else
    ///     `NACHET_BLOB_ACCOUNT` with `NACHET_BLOB_KEY`; else `blobs/` in the
    ///     state directory.
    ///   - schema: `--schema`, if given; else `NACHET_SCHEMA`.
    ///   - environment: The process environment.
    package static func resolve(
        stateDirectory: String?,
        catalogue: String?,
        schema: String? = nil,
        blobStore: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> AgentConfiguration {
        let state = absolute(stateDirectory ?? environment[Setting.stateDirectory.variable] ?? StateDirectory.defaultPath(environment: environment))
        let catalogueLocation = CatalogueLocation(
            parsing: catalogue ?? nonEmpty(environment[Setting.catalogue.variable]) ?? state + "/catalogue.sqlite"
        )
        let accountKey = nonEmpty(environment[Setting.blobAccount.variable]).flatMap { account in
            nonEmpty(environment[Setting.blobKey.variable]).map { "AccountName=\(account);AccountKey=\($0)" }
        }
        let blobLocation = BlobStoreLocation(
            parsing: blobStore ?? nonEmpty(environment[Setting.blobStore.variable]) ?? accountKey ?? state + "/blobs"
        )
        let extensions = try nonEmpty(environment[Setting.validExtensions.variable]).map(ImageExtensions.init(environmentValue:)) ?? .nachetDefault
        return AgentConfiguration(
            stateDirectory: state,
            catalogue: normalised(catalogueLocation),
            schema: schema ?? nonEmpty(environment[Setting.schema.variable]),
            blobStore: normalised(blobLocation),
            extensions: extensions
        )
    }

    /// Opens the catalogue this configuration names. A PostgreSQL catalogue
    /// connects on first use, so an agent can start while the server is
    /// down; a connection string libpq cannot read is refused here.
    /// - Parameters:
    ///   - health: Where a server that cannot be reached is said; when
    ///     given, it is retried until the give-up time.
    ///   - expected: What the state file says was stored in the embedded
    ///     catalogue: a file gone or emptied since is refused, not made anew.
    package func openCatalogue(health: StoreHealth? = nil, expected: SQLiteCatalogue.Expected? = nil) throws(CatalogueError) -> any Catalogue {
        switch catalogue {
        case .sqlite(let path):
            return try SQLiteCatalogue(path: path, expected: expected)
        case .postgres(let connection):
            do {
                _ = try PostgresConnectionString(parsing: connection)
            } catch {
                throw CatalogueError(.misconfigured, error.description)
            }
            return PostgresCatalogue(
                connectionString: connection, schema: schema, retry: health.map { _ in RetryPolicy(giveUpAfter: giveUpAfter) }, health: health)
        }
    }

    /// Opens the blob store this configuration names; Azure requests are
    /// retried until the give-up time, each new cause said in `health`.
    package func openBlobStore(health: StoreHealth? = nil, logger: Logger) throws -> any BlobStore {
        switch blobStore {
        case .directory(let path):
            return try LocalBlobStore(root: path)
        case .azure(let connection):
            var options = azureUploads
            options.retry.giveUpAfter = giveUpAfter
            return AzureBlobStore(account: try AzureAccount(parsing: connection), options: options, health: health, logger: logger)
        }
    }

    /// Refuses a drop folder that holds the state directory or the embedded
    /// stores: the agent would scan its own files.
    package func checkDropDirectory(_ dropDirectory: String) throws(ConfigurationError) {
        let drop = Self.canonical(dropDirectory)
        var places = [("state directory", stateDirectory)]
        if case .sqlite(let path) = catalogue { places.append(("catalogue", path)) }
        if case .directory(let path) = blobStore { places.append(("blob store", path)) }
        for (name, place) in places {
            let resolved = Self.canonical(place)
            if resolved == drop || resolved.hasPrefix(drop + "/") {
                throw ConfigurationError(
                    "the \(name) \(place) is inside the drop folder \(dropDirectory); keep it on the PC's own disk, outside the drop folder (--state-dir, --catalogue, --blob-store)"
                )
            }
        }
    }

    /// Refuses drop folders given twice or one inside another: a set folder
    /// would be served twice.
    package static func checkDropDirectoriesApart(_ dropDirectories: [String]) throws(ConfigurationError) {
        let resolved = dropDirectories.map(canonical)
        for (index, drop) in resolved.enumerated() {
            for (otherIndex, other) in resolved.enumerated() where otherIndex != index && (drop == other || drop.hasPrefix(other + "/")) {
                throw ConfigurationError(
                    "the drop folder \(dropDirectories[index]) is \(drop == other ? "given twice" : "inside the drop folder \(dropDirectories[otherIndex])"); give each drop folder once, none inside another"
                )
            }
        }
    }

    private static func normalised(_ location: CatalogueLocation) -> CatalogueLocation {
        if case .sqlite(let path) = location { return .sqlite(path: absolute(path)) }
        return location
    }

    private static func normalised(_ location: BlobStoreLocation) -> BlobStoreLocation {
        if case .directory(let path) = location { return .directory(path: absolute(path)) }
        return location
    }

    /// `path` made absolute against the working directory, without `..` or a trailing `/`.
    package static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let full = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        let standardized = (full as NSString).standardizingPath
        return standardized.count > 1 && standardized.hasSuffix("/") ? String(standardized.dropLast()) : standardized
    }

    /// `path` with symbolic links resolved, for comparisons; for a path
    /// not made yet (a state directory), those of its nearest existing
    /// parent, so that where it would be made is compared.
    static func canonical(_ path: String) -> String {
        var existing = absolute(path)
        var missing: [String] = []
        while existing != "/", !FileManager.default.fileExists(atPath: existing) {
            missing.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        let resolved = URL(fileURLWithPath: existing).resolvingSymlinksInPath().path
        return missing.reduce(resolved) { ($0 as NSString).appendingPathComponent($1) }
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return value
    }
}

extension AgentConfiguration {
    /// The most pictures ever in flight: connections a destination keeps
    /// open to send them.
    package var picturesInFlightAtMost: Int {
        adaptsPicturesInFlight ? max(parallelUploads, PictureWindow.adaptiveMaximum) : parallelUploads
    }
}
