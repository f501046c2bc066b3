import Foundation
import Logging
import NachetSync

/// The embedded default (SQLite catalogue + local blob folder + state file)
/// in a temporary directory, with a drop folder and a registered user, and
/// helpers to count what landed.
public final class EmbeddedDatastore: Sendable {
    /// The e-mail registered by ``make()``.
    public static let technician = "tech@lab.example"

    public let directory: TemporaryDirectory
    public let drop: DropFolderBuilder
    public let catalogue: SQLiteCatalogue
    public let blobStore: LocalBlobStore
    public let state: SyncState
    /// The registered technician.
    public let user: CatalogueUser

    private init(
        directory: TemporaryDirectory, user: CatalogueUser, catalogue: SQLiteCatalogue, blobStore: LocalBlobStore, state: SyncState
    ) {
        self.directory = directory
        drop = DropFolderBuilder(root: directory.appending("drop"))
        self.catalogue = catalogue
        self.blobStore = blobStore
        self.state = state
        self.user = user
    }

    /// A new datastore with ``technician`` registered.
    public static func make() async throws -> EmbeddedDatastore {
        let directory = TemporaryDirectory()
        let catalogue = try SQLiteCatalogue(path: directory.appending("catalogue.sqlite"))
        let blobStore = try LocalBlobStore(root: directory.appending("blobs"))
        let state = try SyncState(directory: directory.appending("state"))
        let engine = SyncEngine(catalogue: catalogue, blobStore: blobStore, state: state, logger: quietLogger)
        let (user, _) = try await engine.registerUser(email: technician)
        return EmbeddedDatastore(directory: directory, user: user, catalogue: catalogue, blobStore: blobStore, state: state)
    }

    /// A logger that drops everything below `critical`.
    public static let quietLogger: Logger = {
        var logger = Logger(label: "test") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = .critical
        return logger
    }()

    /// An engine over this datastore; `state` replaces the state file when given.
    public func engine(state: SyncState? = nil) -> SyncEngine {
        SyncEngine(catalogue: catalogue, blobStore: blobStore, state: state ?? self.state, logger: Self.quietLogger)
    }

    /// One `sync` pass over the drop folder.
    public func sync(_ engine: SyncEngine? = nil) async throws -> SyncReport {
        try await (engine ?? self.engine()).syncDropDirectory(drop.root, readiness: StabilityTracker(window: .zero))
    }

    // MARK: - Counting

    /// Rows in `table` of the catalogue.
    public func rowCount(_ table: String) throws -> Int {
        let database = try SQLiteDatabase(path: catalogue.location)
        return Int(try database.query("SELECT count(*) FROM \(table)").first?[0].integer ?? -1)
    }

    /// Every picture row: id, set id, JSON document.
    public func pictureRows() throws -> [(id: String, set: String, json: [String: Any])] {
        let database = try SQLiteDatabase(path: catalogue.location)
        return try database.query("SELECT id, picture_set_id, picture FROM picture").map { row in
            let json = (try? JSONSerialization.jsonObject(with: Data((row[2].text ?? "{}").utf8))) as? [String: Any] ?? [:]
            return (row[0].text ?? "", row[1].text ?? "", json)
        }
    }

    /// `number_of_images` of each picture set, by name.
    public func numberOfImages() throws -> [String: Int] {
        let database = try SQLiteDatabase(path: catalogue.location)
        var result: [String: Int] = [:]
        for row in try database.query(
            "SELECT name, json_extract(picture_set, '$.image_data_picture_set.number_of_images') FROM picture_set"
        ) {
            result[row[0].text ?? ""] = Int(row[1].integer ?? -1)
        }
        return result
    }

    /// Every blob's name (`container/folder/blob`) in the blob store, markers included.
    public func blobNames() -> [String] {
        let root = blobStore.root
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
    public func pictureBlobNames() -> [String] {
        blobNames().filter { !$0.hasSuffix(".json") }
    }

    /// The SHA-256 of the bytes of the blob at `name` (`container/folder/blob`).
    public func blobSHA256(_ name: String) throws -> String {
        try FileContent(path: blobStore.root + "/" + name).sha256().hash.hex
    }
}
