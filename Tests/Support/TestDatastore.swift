import Foundation
import Logging
import NachetSync

/// A catalogue backend the engine tests run against.
package enum CatalogueKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The embedded SQLite file.
    case sqlite
    /// A fresh database on the tests' PostgreSQL server, made by `db init`.
    case postgres

    package var description: String { rawValue }
}

/// A blob store backend the engine tests run against.
package enum BlobStoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// A local folder holding Azure's layout.
    case local
    /// Azure Blob Storage, on the loopback emulator.
    case azure

    package var description: String { rawValue }
}

/// A pair of backends the engine's contract tests run on: every catalogue
/// with every blob store.
package struct Backends: Sendable, CustomStringConvertible {
    package var catalogue: CatalogueKind
    package var blobs: BlobStoreKind

    package static let all: [Backends] = CatalogueKind.allCases.flatMap { catalogue in
        BlobStoreKind.allCases.map { Backends(catalogue: catalogue, blobs: $0) }
    }

    package init(catalogue: CatalogueKind, blobs: BlobStoreKind) {
        self.catalogue = catalogue
        self.blobs = blobs
    }

    package var description: String { "\(catalogue)+\(blobs)" }
}

/// A fresh catalogue for one test, with ways to open more connections to it
/// and to run SQL on it.
package struct TestCatalogue: Sendable {
    package let catalogue: any Catalogue
    /// Opens another connection to the same catalogue (another agent).
    package let connect: @Sendable () throws -> any Catalogue
    /// Runs SQL on the catalogue and returns rows as text.
    package let inspect: @Sendable (String) async throws -> [[String?]]
    /// Where it is, as the agent's configuration names it.
    package var location: CatalogueLocation
    /// The PostgreSQL URL, for a PostgreSQL catalogue.
    package var url: String? = nil
}

/// A fresh blob store for one test, and where it is.
package struct TestBlobStore: Sendable {
    package let store: any BlobStore
    /// Where it is, as the agent's configuration names it.
    package let location: BlobStoreLocation
    /// The emulator behind an Azure blob store.
    package let emulator: AzureEmulator?
}

/// A datastore for one test: a catalogue of the chosen kind, a local blob
/// folder and a state file in a temporary directory, with a drop folder and a
/// registered user, and helpers to count what landed.
package final class TestDatastore: Sendable {
    /// The e-mail registered by ``make(catalogue:)``.
    package static let technician = "tech@lab.example"

    package let directory: TemporaryDirectory
    package let drop: DropFolderBuilder
    package let catalogue: any Catalogue
    package let blobStore: any BlobStore
    /// The emulator behind an Azure blob store.
    package let emulator: AzureEmulator?
    package let state: SyncState
    /// The registered technician.
    package let user: CatalogueUser
    /// The catalogue as the test made it.
    package let testCatalogue: TestCatalogue
    /// The blob store as the test made it.
    package let testBlobStore: TestBlobStore
    /// Runs SQL on the catalogue, for counting.
    private let inspect: @Sendable (String) async throws -> [[String?]]
    /// The `serve` the engine writes through, for the API destination;
    /// `nil` when it writes into the datastore itself.
    package let served: ServedDatastore?

    private init(
        directory: TemporaryDirectory,
        catalogue: TestCatalogue,
        blobStore: TestBlobStore,
        state: SyncState,
        user: CatalogueUser,
        served: ServedDatastore? = nil
    ) {
        self.directory = directory
        drop = DropFolderBuilder(root: directory.appending("drop"))
        testCatalogue = catalogue
        testBlobStore = blobStore
        self.catalogue = catalogue.catalogue
        inspect = catalogue.inspect
        self.blobStore = blobStore.store
        emulator = blobStore.emulator
        self.state = state
        self.user = user
        self.served = served
    }

    /// A new datastore of `kind` with ``technician`` registered: the
    /// datastore itself, or the embedded one behind a `serve` the engine
    /// writes to over HTTP (the state file then keeps the API's records).
    package static func make(_ kind: DestinationKind) async throws -> TestDatastore {
        switch kind {
        case .datastore(let backends):
            return try await make(catalogue: backends.catalogue, blobs: backends.blobs)
        case .api:
            let datastore = try await make()
            let served = try await ServedDatastore.start(over: datastore)
            let state = try SyncState(directory: datastore.directory.appending("state-api"), destination: served.identity)
            return TestDatastore(
                directory: datastore.directory, catalogue: datastore.testCatalogue, blobStore: datastore.testBlobStore, state: state,
                user: datastore.user, served: served)
        }
    }

    /// A new datastore with ``technician`` registered.
    ///
    /// - Parameter azure: Upload options for an Azure store; small limits by
    ///   default so that block uploads are exercised with small files, and
    ///   fast retries.
    package static func make(
        catalogue kind: CatalogueKind = .sqlite,
        blobs: BlobStoreKind = .local,
        azure: AzureUploadOptions = TestDatastore.smallAzureUploads
    ) async throws -> TestDatastore {
        let directory = TemporaryDirectory()
        let catalogue = try await makeCatalogue(kind, in: directory)
        let blobStore = try await makeBlobStore(blobs, at: directory.appending("blobs"), azure: azure)
        return try await make(in: directory, catalogue: catalogue, blobStore: blobStore)
    }

    /// A datastore over `catalogue` and `blobStore`, with the state file in
    /// `directory` opened for their destination, as the agent opens it, and
    /// ``technician`` registered.
    private static func make(in directory: TemporaryDirectory, catalogue: TestCatalogue, blobStore: TestBlobStore) async throws
        -> TestDatastore
    {
        let destination = DestinationIdentity(catalogue: catalogue.location, schema: nil, blobStore: blobStore.location)
        let state = try SyncState(directory: directory.appending("state"), destination: destination)
        let engine = SyncEngine(catalogue: catalogue.catalogue, blobStore: blobStore.store, state: state, logger: quietLogger)
        let (user, _) = try await engine.registerUser(email: technician)
        return TestDatastore(directory: directory, catalogue: catalogue, blobStore: blobStore, state: state, user: user)
    }

    /// The same drop folder, catalogue and state file, with a new, empty blob
    /// store of the same kind elsewhere: an administrator's switch of
    /// `--blob-store`.
    package func withNewBlobStore(azure: AzureUploadOptions = TestDatastore.smallAzureUploads) async throws -> TestDatastore {
        let kind: BlobStoreKind = emulator == nil ? .local : .azure
        let blobStore = try await Self.makeBlobStore(kind, at: directory.appending("blobs-" + UUID().uuidString), azure: azure)
        return try await Self.make(in: directory, catalogue: testCatalogue, blobStore: blobStore)
    }

    /// The same drop folder, blob store and state file, with a new, empty
    /// catalogue of the same kind where ``technician`` is registered anew:
    /// an administrator's switch of `--catalogue`.
    package func withNewCatalogue() async throws -> TestDatastore {
        let kind: CatalogueKind = testCatalogue.url == nil ? .sqlite : .postgres
        let catalogue = try await Self.makeCatalogue(kind, in: directory, named: "catalogue-\(UUID().uuidString).sqlite")
        return try await Self.make(in: directory, catalogue: catalogue, blobStore: testBlobStore)
    }

    /// A fresh blob store of `kind`: a new folder at `root`, or a new emulator.
    private static func makeBlobStore(_ kind: BlobStoreKind, at root: String, azure: AzureUploadOptions) async throws -> TestBlobStore {
        switch kind {
        case .local:
            return TestBlobStore(store: try LocalBlobStore(root: root), location: .directory(path: root), emulator: nil)
        case .azure:
            let emulator = try await AzureEmulator.start()
            let store = AzureBlobStore(account: try AzureAccount(parsing: emulator.connectionString), options: azure, logger: quietLogger)
            return TestBlobStore(store: store, location: .azure(connection: emulator.connectionString), emulator: emulator)
        }
    }

    /// A fresh catalogue of `kind` (an SQLite one in the file `named`).
    package static func makeCatalogue(
        _ kind: CatalogueKind,
        in directory: TemporaryDirectory,
        named name: String = "catalogue.sqlite"
    ) async throws -> TestCatalogue {
        switch kind {
        case .sqlite:
            let path = directory.appending(name)
            return TestCatalogue(
                catalogue: try SQLiteCatalogue(path: path),
                connect: { try SQLiteCatalogue(path: path) },
                inspect: { sql in
                    try SQLiteDatabase(path: path).query(sql).map { row in
                        row.values.map { value in
                            switch value {
                            case .null: nil
                            case .integer(let integer): String(integer)
                            case .real(let real): String(real)
                            case .text(let text): text
                            }
                        }
                    }
                },
                location: .sqlite(path: path)
            )
        case .postgres:
            let url = try await PostgresServer.shared.value.makeDatabase()
            _ = try await PostgresCatalogue.initialize(connectionString: url, schema: nil)
            return TestCatalogue(
                catalogue: PostgresCatalogue(connectionString: url, schema: nil),
                connect: { PostgresCatalogue(connectionString: url, schema: nil) },
                inspect: { sql in try await PostgresServer.query(url, sql) },
                location: .postgres(connection: url),
                url: url
            )
        }
    }

    /// A logger that drops everything below `critical`.
    package static let quietLogger: Logger = {
        var logger = Logger(label: "test") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = .critical
        return logger
    }()

    /// An engine over this datastore; `state` replaces the state file when given.
    package func engine(
        state: SyncState? = nil,
        readyMarker: String? = nil,
        followsSymlinks: Bool = false,
        statusFiles: StatusFileWriter? = nil,
        logger: Logger = TestDatastore.quietLogger
    ) -> SyncEngine {
        if let served {
            return SyncEngine(
                destination: served.destination(logger: logger),
                state: state ?? self.state,
                readyMarker: readyMarker,
                followsSymlinks: followsSymlinks,
                statusFiles: statusFiles,
                logger: logger
            )
        }
        return SyncEngine(
            catalogue: catalogue,
            blobStore: blobStore,
            state: state ?? self.state,
            readyMarker: readyMarker,
            followsSymlinks: followsSymlinks,
            statusFiles: statusFiles,
            logger: logger
        )
    }

    /// One `sync` pass over the drop folder, checking the datastore on the
    /// way when asked (as `nachet-sync sync` does by default).
    package func sync(_ engine: SyncEngine? = nil, verifying: Bool = false) async throws -> SyncReport {
        try await sync(engine, checking: verifying ? .always : .never)
    }

    /// One `sync` of the drop folder, checking the datastore as `checking` says.
    package func sync(_ engine: SyncEngine? = nil, checking: DatastoreChecking) async throws -> SyncReport {
        try await (engine ?? self.engine()).syncDropDirectory(drop.root, readiness: StabilityTracker(window: .zero), verifying: checking)
    }

    /// Deletes the blob `name` (`container/folder/blob`), as someone outside
    /// the agent would.
    package func removeBlob(_ name: String) throws {
        let container = String(name.prefix { $0 != "/" })
        if let emulator {
            emulator.removeBlob(container: container, name: String(name.dropFirst(container.count + 1)))
        } else if let local = blobStore as? LocalBlobStore {
            try FileManager.default.removeItem(atPath: local.root + "/" + name)
        }
    }

    // MARK: - Counting

    /// Runs `statement` on the catalogue and returns its rows as text.
    @discardableResult
    package func sql(_ statement: String) async throws -> [[String?]] {
        try await inspect(statement)
    }

    /// Rows in `table` of the catalogue.
    package func rowCount(_ table: String) async throws -> Int {
        Int(try await inspect("SELECT count(*) FROM \(table)").first?[0] ?? "") ?? -1
    }

    /// Every picture row: id, set id, JSON document.
    package func pictureRows() async throws -> [(id: String, set: String, json: [String: Any])] {
        try await inspect("SELECT id, picture_set_id, picture FROM picture").map { row in
            let json = (try? JSONSerialization.jsonObject(with: Data((row[2] ?? "{}").utf8))) as? [String: Any] ?? [:]
            return (row[0] ?? "", row[1] ?? "", json)
        }
    }

    /// `number_of_images` of each picture set, by name.
    package func numberOfImages() async throws -> [String: Int] {
        var result: [String: Int] = [:]
        for row in try await inspect("SELECT name, picture_set FROM picture_set") {
            let json = (try? JSONSerialization.jsonObject(with: Data((row[1] ?? "{}").utf8))) as? [String: Any]
            let imageData = json?["image_data_picture_set"] as? [String: Any]
            result[row[0] ?? ""] = imageData?["number_of_images"] as? Int ?? -1
        }
        return result
    }

    /// The seed id linked to the picture `pictureID`.
    package func seedID(ofPicture pictureID: String) async throws -> String? {
        try await inspect("SELECT seed_id, picture_id FROM picture_seed").first { $0[1] == pictureID }?[0]
    }

    /// Upload options that make small files go in blocks, with fast retries.
    package static let smallAzureUploads = AzureUploadOptions(
        singlePutLimit: 16 << 10,
        blockSize: 8 << 10,
        blocksInFlight: 3,
        retry: RetryPolicy(initialDelay: .milliseconds(5), maximumDelay: .milliseconds(100), maximumAttempts: 12),
        requestTimeout: .seconds(5)
    )

    /// Every blob's name (`container/folder/blob`) in the blob store, markers included.
    package func blobNames() -> [String] {
        if let emulator {
            return emulator.containerNames.flatMap { container in emulator.blobNames(container: container).map { container + "/" + $0 } }
                .sorted()
        }
        guard let local = blobStore as? LocalBlobStore else { return [] }
        let root = local.root
        let enumerator = FileManager.default.enumerator(atPath: root)
        var names: [String] = []
        while let item = enumerator?.nextObject() as? String {
            guard !item.hasPrefix(".") else {
                enumerator?.skipDescendants()
                continue
            }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + item, isDirectory: &isDirectory), !isDirectory.boolValue,
                !(item as NSString).lastPathComponent.hasPrefix(".")
            {
                names.append(item)
            }
        }
        return names.sorted()
    }

    /// Picture blobs (not folder markers).
    package func pictureBlobNames() -> [String] {
        blobNames().filter { !$0.hasSuffix(".json") }
    }

    /// The SHA-256 of the bytes of the blob at `name` (`container/folder/blob`).
    package func blobSHA256(_ name: String) throws -> String {
        if let emulator {
            let container = String(name.prefix { $0 != "/" })
            let data = emulator.blobData(container: container, name: String(name.dropFirst(container.count + 1))) ?? Data()
            let path = directory.appending("blob-to-hash-" + UUID().uuidString)
            try data.write(to: URL(fileURLWithPath: path))
            return try FileContent(path: path).sha256().hash.hex
        }
        guard let local = blobStore as? LocalBlobStore else { return "" }
        return try FileContent(path: local.root + "/" + name).sha256().hash.hex
    }
}
